import { describe, expect, it } from 'vitest';
import { zhCN } from '../i18n/zh-CN';
import { describeError } from './errors';

/** The shape a TRPCClientError has on the client (message + data from the errorFormatter). */
function trpcError(message: string, data: Record<string, unknown>) {
  return Object.assign(new Error(message), {
    data: { httpStatus: 400, path: 'x', zodError: null, issues: null, appCode: null, retryAfterS: null, params: null, ...data },
  });
}

describe('errors in Chinese, from codes only', () => {
  it('names each wrong field from the issue codes and limits, never from the English text', () => {
    const p = describeError(
      trpcError('title: Title is empty; topics: At most 3 topics', {
        code: 'BAD_REQUEST',
        issues: [
          { path: 'title', code: 'too_small', minimum: 1, origin: 'string' },
          { path: 'topics', code: 'too_big', maximum: 3, origin: 'array' },
          { path: 'content', code: 'custom', params: { reason: 'tooLarge', maximum: 1048576 } },
          { path: 'title', code: 'custom', params: { reason: 'tooLong', maximum: 100 } },
        ],
      }),
    );
    expect(p.fields).toEqual({ title: '标题不能为空', topics: '话题最多 3 个', content: '正文最多 1048576 字节' });
    expect(p.message).toBe('标题不能为空；话题最多 3 个；正文最多 1048576 字节');
  });

  it('says each kind of issue in Chinese, even for a field it has no name for', () => {
    const said = (issue: Record<string, unknown>) => describeError(trpcError('English', { code: 'BAD_REQUEST', issues: [issue] })).message;
    expect(said({ path: 'email', code: 'invalid_format', format: 'email' })).toBe('邮箱格式无效');
    expect(said({ path: 'password', code: 'too_small', minimum: 8, origin: 'string' })).toBe('密码至少 8 个字符');
    expect(said({ path: 'scheduledAt', code: 'custom', params: { reason: 'tooFar' } })).toBe('定时发布需在一年以内');
    expect(said({ path: 'statement', code: 'invalid_value' })).toBe('创作声明取值无效');
    expect(said({ path: 'somethingNew', code: 'weird' })).toBe('somethingNew无效');
    // A check of the server's own, named by its app code.
    expect(said({ path: 'cookies', code: 'custom', params: { reason: 'COOKIES_INVALID' } })).toBe(zhCN.accounts.cookieInvalid);
  });

  it('says how long to wait when rate limited', () => {
    const p = describeError(trpcError('Too many submissions; try again in 12 s', { code: 'TOO_MANY_REQUESTS', appCode: 'RATE_LIMITED', retryAfterS: 12 }));
    expect(p.message).toBe(zhCN.api.tooMany(12));
    expect(p.appCode).toBe('RATE_LIMITED');
  });

  it('says the refusals a person can meet by their codes', () => {
    expect(describeError(trpcError('Wrong email or password', { code: 'UNAUTHORIZED', appCode: 'WRONG_CREDENTIALS' })).message).toBe(zhCN.auth.wrongCredentials);
    expect(describeError(trpcError('An account with this email already exists', { code: 'CONFLICT', appCode: 'EMAIL_TAKEN' })).message).toBe(zhCN.auth.emailTaken);
    expect(describeError(trpcError('Cannot cancel a task that is success', { code: 'CONFLICT', appCode: 'TASK_STATE', params: { action: 'cancel', status: 'success' } })).message).toBe(
      '状态为“已发布”，不能取消',
    );
    const pastClick = { code: 'CONFLICT', appCode: 'TASK_PAST_CLICK', params: { action: 'cancel', status: 'running', stage: 'submitted' } } as const;
    expect(describeError(trpcError('Cannot cancel this task: it has already clicked 发布', pastClick)).message).toBe(zhCN.tasks.pastClick);
    expect(describeError(trpcError('No such task', { code: 'NOT_FOUND', path: 'task.byId' })).message).toBe(zhCN.api.taskNotFound);
    expect(describeError(trpcError('No such account', { code: 'NOT_FOUND', path: 'account.verify' })).message).toBe(zhCN.api.accountNotFound);
    expect(describeError(trpcError('No such token', { code: 'NOT_FOUND', path: 'token.revoke' })).message).toBe(zhCN.api.tokenNotFound);
    expect(describeError(trpcError('You already have 20 API tokens', { code: 'CONFLICT', appCode: 'TOO_MANY_TOKENS' })).message).toMatch(/^最多可以有 \d+ 个令牌/);
    const busy = { articleId: '1234567890123456789', reason: 'updating', taskId: 'a'.repeat(24), status: 'running' };
    expect(describeError(trpcError('Zhihu article … is already being updated', { code: 'CONFLICT', appCode: 'ARTICLE_BUSY', params: busy })).message).toBe(
      `知乎文章 1234567890123456789 已有一个未结束的更新任务 ${'a'.repeat(24)}（${zhCN.status.running}）：请等它结束（或取消它）后再提交`,
    );
    expect(describeError(trpcError('… appears more than once', { code: 'CONFLICT', appCode: 'ARTICLE_BUSY', params: { articleId: '123456789012345', reason: 'twice' } })).message).toBe(
      zhCN.api.busyTwice('123456789012345'),
    );
    // A refusal this client has no words for still reads in Chinese.
    expect(describeError(trpcError('Something brand new happened here', { code: 'CONFLICT', appCode: 'BRAND_NEW' })).message).toBe(zhCN.api.conflict);
    expect(describeError(trpcError('Sign in first', { code: 'UNAUTHORIZED' })).message).toBe(zhCN.api.unauthorized);
  });

  it('treats an answer without a tRPC envelope as a network problem', () => {
    expect(describeError(new TypeError('Failed to fetch')).message).toBe(zhCN.api.network);
  });

  it('names the Zhihu setting the server refused, with the value and what to do', () => {
    const p = describeError(
      trpcError('column: "c_9" is not one of this account\'s columns', {
        code: 'BAD_REQUEST',
        appCode: 'INVALID_COLUMN',
        params: { column: 'c_9', columns: [{ id: 'c_1001', title: '前端笔记' }, { id: 'c_1002', title: '读书' }] },
        issues: [{ path: 'column', code: 'custom', params: { reason: 'INVALID_COLUMN', column: 'c_9', columns: [{ id: 'c_1001', title: '前端笔记' }, { id: 'c_1002', title: '读书' }] } }],
      }),
    );
    expect(p.fields.column).toBe('“c_9” 不是该账号的专栏（该账号的专栏：c_1001（前端笔记）、c_1002（读书））；若是新建的专栏，请在“账号”页重新验证登录');
    const sha = `/assets/${'b'.repeat(64)}`;
    const image = (path: string) =>
      describeError(trpcError('English', { code: 'BAD_REQUEST', issues: [{ path, code: 'custom', params: { reason: 'UNKNOWN_IMAGE', images: [sha] } }] })).fields[path];
    expect(image('content')).toBe(`正文引用了未上传的图片：${sha}。请重新粘贴或拖入这些图片`);
    expect(image('cover')).toBe(`封面 ${sha} 不是你上传过的图片，请重新上传封面`);
  });
});
