/**
 * Everything the flow knows about Zhihu's pages and APIs, in one place: selectors, button texts,
 * paths, JSON fields and error codes. Class names on Zhihu are build hashes, so hooks are
 * placeholders, roles, attributes and texts. docs/zhihu.md gives each one's public source and
 * date; when Zhihu changes, this file and that table are what change.
 */
import type { CommentPermission, CreationStatement } from '@zpub/shared';

export const SELECTORS = {
  title: 'textarea[placeholder^="请输入标题"]',
  editor: '.public-DraftEditor-content[contenteditable="true"]',
  /** Any rich-text area: present without `editor` means Zhihu replaced its editor. */
  anyEditor: '[contenteditable="true"]',
  /** The legacy flow's publish settings, opened by 发布. */
  publishPanel: '[role="dialog"]',
  topicSearch: 'input[placeholder="搜索话题"]',
  /** Topic suggestions: buttons in the popover today, options of a listbox in the legacy dialog. */
  topicSuggestion: '.Popover-content button, [role="listbox"] [role="option"]',
  columnSelect: 'select[aria-label="发布到专栏"]',
  statementSelect: 'select[aria-label="创作声明"]',
  commentSelect: 'select[aria-label="评论权限"]',
  /** A chosen topic; its remove button is labelled `TEXTS.removeTopic`. */
  topicChip: '.PublishPanel-topicTag',
  toast: '.Notification[role="alert"], .Notification',
  articleData: 'script#js-initialData',
} as const;

export const TEXTS = {
  publish: '发布',
  addTopic: '添加话题',
  confirm: '确认发布',
  /** The `aria-label` of a topic chip's remove button. */
  removeTopic: '移除话题',
} as const;

/**
 * What the 创作声明 control shows for each `disclaimer_type` (zhihu_obsidian src/disclaimer.ts; the
 * label of `none` has no public source). `none` is chosen only when an update asks for it.
 */
export const STATEMENT_LABELS: Record<CreationStatement, string> = {
  none: '无声明',
  spoiler: '包含剧透',
  medical_advice: '包含医疗建议',
  fictional_creation: '虚构创作',
  contain_finance: '包含理财内容',
  ai_creation: '包含 AI 辅助创作',
};

/** What the comment-permission control shows (no public source: see docs/zhihu.md). */
export const COMMENT_LABELS: Record<CommentPermission, string> = {
  anyone: '所有人可评论',
  followee: '仅我关注的人可评论',
  censor: '评论经我审核后展示',
  nobody: '关闭评论',
};

export const PATHS = {
  me: '/api/v4/me',
  write: '/write',
  article: (id: string) => `/p/${id}`,
  /** zhuanlan: the editor of an existing article or draft (zhihu_obsidian's referer; Wechatsync's draft link). */
  edit: (id: string) => `/p/${id}/edit`,
  memberArticles: (urlToken: string) => `/api/v4/members/${encodeURIComponent(urlToken)}/articles?offset=0&limit=20&sort_by=created`,
  memberColumns: (urlToken: string, offset: number) =>
    `/api/v4/members/${encodeURIComponent(urlToken)}/column-contributions?include=${encodeURIComponent('data[*].column.title')}&offset=${offset}&limit=20`,
  /** zhuanlan: a remote image re-hosted by Zhihu (form `url`, `source=article`) -> `{ src }`. */
  uploadedImages: '/api/uploaded_images',
  /** zhuanlan: the cover as `titleImage`, and autosave. */
  draft: (id: string) => `/api/articles/${id}/draft`,
  /** api.zhihu.com: an upload ticket for an image's MD5, then its status. */
  images: '/images',
  image: (id: string) => `/images/${encodeURIComponent(id)}`,
} as const;

/** `/p/<id>`: ids are 15–20 digits and stay strings (they exceed JavaScript's safe integers). */
export const ARTICLE_PATH = /^\/p\/(\d{15,20})\/?$/;
export const SIGNIN_PATH = /^\/signin/;
export const CAPTCHA_PATH = /^\/account\/unhuman/;
export const DRAFTS_API = /\/api\/articles\/drafts(\?|$)/;
export const TOPICS_API = /\/api\/articles\/\d{15,20}\/topics(\?|$)/;
/** Today: a topic taken off the draft, `DELETE /api/articles/<id>/topics/<topic id>`. */
export const TOPIC_DELETE_API = /\/api\/articles\/\d{15,20}\/topics\/\d+(\?|$)/;
/** Autosave of an existing draft or article: `PATCH /api/articles/<id>/draft`. */
export const DRAFT_API = /\/api\/articles\/(\d{15,20})\/draft(\?|$)/;
/** Legacy: PUT /api/articles/<id>/publish. */
export const LEGACY_PUBLISH_API = /\/api\/articles\/(\d{15,20})\/publish(\?|$)/;
/** Today: POST {www}/api/v4/content/publish; refusals come as HTTP 200 with a `code`. */
export const CONTENT_PUBLISH_API = /\/api\/v4\/content\/publish(\?|$)/;
/** What content/publish says when it took the article (zhihu_obsidian src/publish_service.ts). */
export const PUBLISH_SUCCESS_MESSAGE = 'success';
/** What an editor page for someone else's article says (the sandbox's ForbiddenError; no public source). */
export const FORBIDDEN_TEXT = /你没有权限|没有权限/;
/** A page showing Zhihu's 40362 refusal (the risk-control page). */
export const RISK_PAGE_TEXT = /40362|您当前请求存在异常/;

/** Images that need no re-hosting: Zhihu's own image host, and formulas Zhihu draws itself. */
export const ZHIHU_IMAGE_HOST = /(^|\.)zhimg\.com$/;
export const EQUATION_URL = /^https?:\/\/(www\.)?zhihu\.com\/equation\?/;

/** Aliyun OSS, which Zhihu's image upload uses (Wechatsync, zhihu_obsidian). */
export const OSS = {
  bucket: 'zhihu-pics',
  userAgent: 'aliyun-sdk-js/6.8.0',
  /** `upload_file.state` meaning "already hosted, no upload needed" (Wechatsync). */
  alreadyHosted: 1,
  /** Image statuses that mean the hosted copy is ready (zhihu_obsidian: success; Wechatsync: completed). */
  ready: ['success', 'completed'],
} as const;

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
