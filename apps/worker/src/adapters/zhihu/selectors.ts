/**
 * Everything the flow knows about Zhihu's pages, in one place. Class names on Zhihu are build
 * hashes, so hooks are placeholders, roles, attributes and button texts. The sandbox serves the
 * same hooks; when Zhihu changes its editor, this file is what changes.
 */
export const SELECTORS = {
  title: 'textarea[placeholder^="请输入标题"]',
  editor: '.public-DraftEditor-content[contenteditable="true"]',
  /** Any rich-text area: present without `editor` means Zhihu replaced its editor. */
  anyEditor: '[contenteditable="true"]',
  publishPanel: '[role="dialog"]',
  topicSearch: 'input[placeholder="搜索话题"]',
  topicOption: '[role="option"]',
  topicChip: '[data-topic-id]:not([role="option"])',
  toast: '.Notification[role="alert"], .Notification',
} as const;

export const TEXTS = {
  publish: '发布',
  addTopic: '添加话题',
  confirm: '确认发布',
} as const;

export const PATHS = {
  me: '/api/v4/me',
  write: '/write',
  article: (id: string) => `/p/${id}`,
  memberArticles: (urlToken: string) => `/api/v4/members/${encodeURIComponent(urlToken)}/articles?offset=0&limit=20&sort_by=created`,
} as const;

/** `/p/<id>`: ids are 15–20 digits and stay strings (they exceed JavaScript's safe integers). */
export const ARTICLE_PATH = /^\/p\/(\d{15,20})\/?$/;
export const SIGNIN_PATH = /^\/signin/;
export const CAPTCHA_PATH = /^\/account\/unhuman/;
export const DRAFTS_API = /\/api\/articles\/drafts(\?|$)/;
export const PUBLISH_API = /\/api\/articles\/(\d{15,20})\/publish(\?|$)/;

/** Zhihu's error codes in API answers, and what they mean for a task. */
export const ZHIHU_CODES = {
  captcha: 40352,
  risk: 40362,
  phoneBinding: 4031,
} as const;

/**
 * What Zhihu's toasts and error messages say, for when only the page tells (no API answer was
 * seen). Checked in order; anything else is a plain refusal.
 */
export const MESSAGE_PATTERNS = [
  { code: 'CAPTCHA_REQUIRED', pattern: /验证码|网络环境存在异常|40352/ },
  { code: 'PHONE_BINDING_REQUIRED', pattern: /绑定手机|手机号|4031/ },
  { code: 'TOPIC_REQUIRED', pattern: /话题/ },
  { code: 'TITLE_TOO_LONG', pattern: /标题最多|标题.*超过/ },
  { code: 'LOGIN_EXPIRED', pattern: /请先登录|登录已过期|重新登录/ },
  { code: 'RATE_LIMITED', pattern: /过于频繁|操作太快/ },
] as const;
