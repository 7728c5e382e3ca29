import type { ErrorCode } from '@zpub/shared';
import { MESSAGE_PATTERNS } from './selectors';

/** What a Zhihu message (a toast, an error answer) means, when its code does not say. */
export function codeForMessage(text: string): ErrorCode {
  return MESSAGE_PATTERNS.find((p) => p.pattern.test(text))?.code ?? 'PUBLISH_REJECTED';
}
