import { describe, expect, it } from 'vitest';
import { zhCN } from '../i18n/zh-CN';
import { describeError, translateServerText } from './errors';

/** The shape a TRPCClientError has on the client (message + data from the errorFormatter). */
function trpcError(message: string, data: Record<string, unknown>) {
  return Object.assign(new Error(message), { data: { httpStatus: 400, path: 'x', zodError: null, appCode: null, retryAfterS: null, ...data } });
}

describe('errors in Chinese', () => {
  it('names each wrong field from the server’s flattened zod error', () => {
    const p = describeError(
      trpcError('title: Title is empty', {
        code: 'BAD_REQUEST',
        zodError: { formErrors: [], fieldErrors: { title: ['Title is empty'], topics: ['At most 3 topics (Zhihu’s limit)'] } },
      }),
    );
    expect(p.fields).toEqual({ title: '标题为空', topics: '话题最多 3 个（知乎的限制）' });
    expect(p.message).toBe('标题：标题为空；话题：话题最多 3 个（知乎的限制）');
  });

  it('says how long to wait when rate limited', () => {
    const p = describeError(trpcError('Too many submissions; try again in 12 s', { code: 'TOO_MANY_REQUESTS', appCode: 'RATE_LIMITED', retryAfterS: 12 }));
    expect(p.message).toBe(zhCN.api.tooMany(12));
    expect(p.appCode).toBe('RATE_LIMITED');
  });

  it('translates the refusals a person can meet', () => {
    expect(describeError(trpcError('Wrong email or password', { code: 'UNAUTHORIZED' })).message).toBe(zhCN.auth.wrongCredentials);
    expect(describeError(trpcError('An account with this email already exists; sign in instead', { code: 'CONFLICT' })).message).toBe(zhCN.auth.emailTaken);
    expect(translateServerText('Cannot cancel a task that is success; only pending, queued or running tasks can be')).toBe('状态为“已发布”，不能取消');
  });

  it('treats an answer without a tRPC envelope as a network problem', () => {
    expect(describeError(new TypeError('Failed to fetch')).message).toBe(zhCN.api.network);
  });
});
