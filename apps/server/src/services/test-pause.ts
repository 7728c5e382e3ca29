/**
 * Pause points for tests that must stop the server at one exact moment (between the two stores of
 * a create, between reading and writing a projection round, before an index rebuild indexes
 * anything). Enabled only by TEST_PAUSE_DIR, never
 * in production: while `<TEST_PAUSE_DIR>/<point>` exists, the server waits there.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from '@zpub/shared/node';

export type PausePoint = 'create-register' | 'projector-write' | 'index-rebuild';
export type Pause = (point: PausePoint) => Promise<void>;

export function pausePoints(dir: string | undefined, production: boolean, log: Logger): Pause {
  if (!dir || production) return async () => undefined;
  return async (point) => {
    const file = join(dir, point);
    if (!existsSync(file)) return;
    log.warn({ point }, 'paused at a test pause point');
    while (existsSync(file)) await new Promise((r) => setTimeout(r, 50));
    log.warn({ point }, 'resumed from a test pause point');
  };
}
