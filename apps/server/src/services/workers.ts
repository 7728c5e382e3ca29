import type { WorkerView } from '@zpub/shared';
import type { RedisClient } from '@zpub/shared/node';

/** Workers announce themselves in one Redis hash; a silent one is shown as gone, then forgotten. */
export async function listWorkers(redis: RedisClient, key: string, timeoutMs: number): Promise<WorkerView[]> {
  const all = await redis.hGetAll(key);
  const now = Date.now();
  const out: WorkerView[] = [];
  for (const [id, json] of Object.entries(all)) {
    try {
      const w = JSON.parse(json) as Omit<WorkerView, 'alive' | 'id'>;
      const age = now - Date.parse(w.lastSeen);
      if (age > 3600_000) {
        await redis.hDel(key, id);
        continue;
      }
      out.push({ ...w, id, alive: age <= timeoutMs });
    } catch {
      await redis.hDel(key, id);
    }
  }
  return out.sort((a, b) => Number(b.alive) - Number(a.alive) || (a.startedAt < b.startedAt ? -1 : 1));
}

/** Slots of the workers that are alive now. */
export async function liveSlots(redis: RedisClient, key: string, timeoutMs: number): Promise<number> {
  const workers = await listWorkers(redis, key, timeoutMs);
  return workers.filter((w) => w.alive && !w.draining).reduce((n, w) => n + w.slots, 0);
}
