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

  it('names the Zhihu setting the server refused, with the value and what to do', () => {
    const column = '"c_9" is not one of this account\'s columns: c_1001 (前端笔记), c_1002 (读书). If the column is new, verify the account again to refresh the list';
    const p = describeError(trpcError(`column: ${column}`, { code: 'BAD_REQUEST', appCode: 'INVALID_COLUMN', zodError: { formErrors: [], fieldErrors: { column: [column] } } }));
    expect(p.fields.column).toBe('“c_9” 不是该账号的专栏（该账号的专栏：c_1001 (前端笔记), c_1002 (读书)）；若是新建的专栏，请在“账号”页重新验证登录');
    expect(p.message.startsWith('专栏：“c_9”')).toBe(true);
    const sha = `/assets/${'b'.repeat(64)}`;
    expect(translateServerText(`the body names an image you never uploaded: ${sha}; upload it first (POST /assets)`)).toBe(`正文引用了未上传的图片：${sha}。请重新粘贴或拖入这些图片`);
    expect(translateServerText(`${sha} is not an image you uploaded; upload the cover first (POST /assets)`)).toBe(`封面 ${sha} 不是你上传过的图片，请重新上传封面`);
    expect(translateServerText('Invalid option: expected one of "anyone"|"followee"|"censor"|"nobody"')).toBe('取值无效');
  });
});
