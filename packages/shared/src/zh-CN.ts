/**
 * What a task says in Simplified Chinese, for every reader of it: the SPA (its first language) and
 * the zpub CLI. Notes, statuses, stages, error advice and rejections; the SPA keeps the rest of
 * its strings in apps/web/src/i18n.
 */
import type { RejectionCode } from './api';
import type { ErrorCode } from './errors';
import type { Stage } from './events';
import { time, tx, type NoteTexts, type Parts } from './notes';
import type { TaskStatus } from './task';

const withSaid = (status: number, said: string | undefined): Parts => tx`HTTP ${status}${said ? tx`：“${said}”` : []}`;
const ELEMENTS = { title: '标题输入框', body: '正文编辑器', publishPanel: '发布设置面板', topicSearch: '话题搜索框' } as const;
const shows = (update: boolean | undefined): Parts => (update ? tx`显示的是新的标题和正文` : tx`显示已发布`);
const DRAFT_PARTS = { title: '标题', body: '正文', cover: '封面', topics: '话题', column: '专栏', statement: '创作声明', comment: '评论权限' } as const;
const CONTROLS = { column: '“发布到专栏”', statement: '“创作声明”', comment: '“评论权限”' } as const;

/**
 * What happened at a step of a task (notes in @zpub/shared). Interpolated values are data: the
 * screen marks them as such and never translates them; Zhihu's own words are shown in quotes.
 */
export const NOTE_ZH: NoteTexts = {
  claimed: (p) => tx`由工作节点 ${p.worker} 开始执行`,
  claimedAgain: (p) => tx`第 ${p.taken} 次尝试在实时状态存储丢失最近的写入之前已被领取；由工作节点 ${p.worker} 作为第 ${p.attempt} 次尝试开始执行`,
  loggedIn: (p) => tx`已登录知乎账号 ${p.name}`,
  imagesHosted: (p) => tx`${p.count} 张图片已上传到知乎图床`,
  editorFilled: (p) =>
    tx`${p.articleId === undefined ? [] : p.draft ? tx`文章 ${p.articleId} 的草稿：` : tx`已打开文章 ${p.articleId} 准备更新，`}已填写标题和正文（${
      p.layout === 'today' ? tx`新版编辑器` : tx`旧版编辑器`
    }）`,
  publishClicked: (p) => tx`已点击发布${p.articleId === undefined ? [] : tx`（更新文章 ${p.articleId}）`}`,
  pageReached: (p) => tx`已打开文章页 ${p.path}`,
  provenOnPage: (p) => tx`在该账号的登录会话中打开文章页，${shows(p.update)}`,
  provenAfterRisk: (p) => tx`点击“${p.button}”后知乎显示 40362（风控），但在该账号的登录会话中打开文章页，${shows(p.update)}`,
  provenEditorStayed: (p) => tx`点击“${p.button}”后编辑器没有跳转，但在该账号的登录会话中打开文章页，${shows(p.update)}`,
  alreadyPublished: () => tx`之前的一次尝试已发布这篇文章，未重复发布`,
  alreadyUpdated: () => tx`之前的一次尝试已更新这篇文章：在该账号的登录会话中打开文章页，显示的是新的标题和正文`,
  drafted: (p) =>
    tx`已保存到知乎草稿箱，未发布（草稿保存了${[p.holds.map((h) => DRAFT_PARTS[h]).join('、')]}；${[p.later.map((h) => DRAFT_PARTS[h]).join('、')]}在发布时设置）；在该账号的登录会话中打开草稿编辑器，可以看到标题`,
  unconfirmedRisk: (p) => tx`点击“${p.button}”后知乎显示 40362（风控），文章页上也看不到${p.update ? tx`新的版本` : tx`这篇文章`}`,
  unconfirmedNotPublished: (p) => tx`文章页已打开，但在该账号的登录会话中它${p.update ? tx`没有显示新的标题和正文` : tx`没有显示已发布`}`,
  unconfirmedNoPage: (p) => tx`点击“${p.button}”后 ${p.seconds} 秒内没有打开文章页，文章页上也看不到${p.update ? tx`新的版本` : tx`这篇文章`}`,
  unconfirmedDraft: (p) => tx`知乎已应答草稿保存，但在该账号的登录会话中打开草稿编辑器（${p.path}）看不到标题。没有发布任何内容；请到知乎草稿箱核对`,
  handedBack: (p) => tx`工作节点 ${p.worker} 正在停止，任务已交还队列`,
  storeUnreachable: (p) => tx`无法连接数据库（MongoDB），未能${p.step === 'claim' ? tx`记录对任务的领取` : tx`读取任务`}；任务已交还队列`,
  queueUnavailable: () => tx`队列暂时不可用，任务退回等待`,
  queueEntryLost: () => tx`任务在队列中的记录丢失，已重新排队`,
  workerGone: () => tx`执行任务的工作节点和队列记录都已消失，已重新排队`,
  cancelledByUser: () => tx`由用户取消`,
  retryRequested: () => tx`用户要求重试`,
  scheduled: (p) => tx`定时于 ${time(p.at)} 发布`,
  unscheduled: () => tx`已清除定时`,
  removedByUser: () => tx`由用户删除`,
  registeredLate: () => tx`保存后服务中断过，已由系统补完登记`,
  reannounced: () => tx`实时状态存储丢失了该任务最近的变化，已重新公布当前状态`,
  repairedAfterGap: () => tx`事件流被截断后，已按当前状态补齐`,
  restoredFromMongo: () => tx`Redis 丢失了这条任务，已从 MongoDB 恢复`,
  tabCrashed: () => tx`浏览器标签页崩溃（Chromium：${'Page crashed!'}）`,
  editorClosed: (p) => tx`文章 ${p.articleId} 的编辑器在加载完成前被关闭`,
  articleMissing: (p) => tx`知乎上没有该账号可以编辑的文章 ${p.articleId}（编辑器返回 404）`,
  articleForeign: (p) => tx`文章 ${p.articleId} 属于另一个知乎账号（编辑器返回 403，没有权限）`,
  articleNotEditable: (p) => tx`知乎显示了文章 ${p.articleId} 而不是它的编辑器：该账号不能编辑它`,
  topicNoRemove: (p) => tx`话题“${p.topic}”没有删除按钮（${p.selector}）`,
  topicNotRemoved: (p) => tx`编辑器没有把话题“${p.topic}”从草稿中移除`,
  topicRemoveRefused: (p) => tx`知乎没有移除话题“${p.topic}”（HTTP ${p.status}）`,
  draftStopped: () => tx`保存草稿时尝试被停止`,
  draftNotSaved: (p) => tx`编辑器在 ${p.seconds} 秒内没有确认把这个标题和正文保存到草稿（${'PATCH /api/articles/<id>/draft'}）`,
  taskMissing: () => tx`任务记录缺失`,
  titleLength: (p) => tx`标题有 ${p.chars} 个字，知乎最多接受 ${p.max} 个`,
  cookiesUnreadable: () => tx`无法读取该账号保存的 Cookie（服务器密钥是否更换过？）`,
  timedOut: (p) => tx`知乎没有及时响应（原始错误：${p.cause}）`,
  tabGone: (p) => tx`浏览器标签页失去连接（原始错误：${p.cause}）`,
  unreachable: (p) => tx`无法连接知乎（原始错误：${p.cause}）`,
  unexpected: (p) => tx`意外错误（原始错误：${p.cause}）`,
  loginNoAnswer: () => tx`登录检查（${'GET /api/v4/me'}）没有响应`,
  loginCaptcha: () => tx`登录检查时知乎要求输入验证码`,
  loginRisk: () => tx`登录检查时知乎返回 40362（风控）`,
  loginHttp: (p) => tx`登录检查时知乎返回 HTTP ${p.status}`,
  loginNotJson: () => tx`登录检查的响应不是账号信息`,
  loginNoAccount: () => tx`登录检查的响应没有给出账号`,
  checkFailed: (p) => tx`无法执行登录检查（原始错误：${p.cause}）`,
  buttonMissing: (p) => tx`页面上找不到“${p.button}”按钮`,
  elementMissing: (p) => tx`页面上找不到${ELEMENTS[p.element]}（${p.selector}）`,
  unknownBodyEditor: (p) => tx`编辑器页面的正文编辑器是发布程序不认识的（找不到 ${p.selector}）`,
  editorSignin: () => tx`打开编辑器时被转到了登录页`,
  editorCaptcha: () => tx`打开编辑器时被转到了验证码页`,
  editorHttp: (p) => tx`编辑器页面返回 HTTP ${p.status}`,
  editorNotFilled: () => tx`编辑器没有接受标题或正文`,
  noDraft: () => tx`填写后编辑器没有保存草稿（${'POST /api/articles/drafts'}）`,
  topicNoSuggestion: (p) => tx`搜索话题“${p.topic}”时没有候选项`,
  topicNotSaved: (p) => tx`编辑器没有把话题“${p.topic}”保存到草稿`,
  topicRefused: (p) => tx`知乎没有接受话题“${p.topic}”（${withSaid(p.status, p.said)}）`,
  controlMissing: (p) => tx`页面上找不到${CONTROLS[p.control]}选项（${p.selector}）`,
  optionUnavailable: (p) => tx`无法在${CONTROLS[p.control]}中选择“${p.option}”（${p.selector}）`,
  columnNotOffered: (p) => tx`知乎没有为该账号提供专栏 ${p.column}（可选的专栏：${p.offered}）：请选择该账号的专栏`,
  coverRefused: (p) => tx`知乎没有接受封面（${withSaid(p.status, p.said)}）`,
  imageRehostRefused: (p) => tx`知乎没有转存图片 ${p.image}（${withSaid(p.status, p.said)}）`,
  imageNoTicket: (p) => tx`知乎没有为上传的图片 ${p.image} 发放上传凭证（${withSaid(p.status, p.said)}）`,
  imageNoToken: (p) => tx`知乎为上传的图片 ${p.image} 发放的上传凭证中没有上传令牌`,
  imagePutRefused: (p) => tx`知乎图床拒绝了上传的图片 ${p.image}（HTTP ${p.status}）`,
  imageNoReport: (p) => tx`知乎没有返回上传的图片 ${p.image} 的处理状态（HTTP ${p.status}）`,
  imageNotReady: (p) => tx`知乎在 ${p.seconds} 秒内没有处理完上传的图片 ${p.image}`,
  imageInvalid: (p) => tx`图片 ${p.image} 既不是网址，也不是上传过的图片（${'/assets/<sha256>'}）`,
  imageGone: (p) => tx`上传过的图片 ${p.image} 已不在本系统中：请重新上传`,
  refused: (p) => tx`知乎拒绝发布：“${p.said}”${p.zhihuCode === undefined ? [] : tx`（${p.zhihuCode}）`}`,
  toast: (p) => tx`知乎提示：“${p.said}”`,
  captchaPage: (p) => tx`点击“${p.button}”后知乎显示了验证码页面（40352）`,
  signinPage: (p) => tx`点击“${p.button}”后编辑器被转到了登录页`,
  listUnreadable: (p) =>
    tx`之前的一次尝试已点击发布，但无法读取该账号的文章列表来核对（${
      p.reason === 'http' ? tx`HTTP ${p.status ?? 0}` : p.reason === 'noAnswer' ? tx`没有响应` : tx`返回的不是文章列表`
    }）`,
};


export const STATUS_ZH = {
  pending: '等待中',
  queued: '排队中',
  running: '发布中',
  success: '已发布',
  failed: '失败',
  cancelled: '已取消',
  unconfirmed: '待确认',
} satisfies Record<TaskStatus, string>;

export const STAGE_ZH = {
  created: '已创建',
  scheduled: '已定时',
  queued: '已进入队列',
  browser: '浏览器已就绪',
  images: '图片已上传到知乎',
  login: '已登录',
  editor: '已填写编辑器',
  submitted: '已点击发布',
  redirected: '已打开文章页',
  verified: '已验证发布',
  updated: '已验证更新',
  drafted: '已存为草稿（未发布）',
  duplicate: '已发布过（未重复发布）',
  retrying: '等待自动重试',
  requeued: '已重新排队',
  failed: '失败',
  cancelled: '已取消',
  unconfirmed: '无法确认',
  removed: '已删除',
} satisfies Record<Stage, string>;

/** What went wrong and what the person should do, per error code of a task. */
export const ERROR_ADVICE_ZH = {
  LOGIN_EXPIRED: '账号登录已失效，请重新粘贴该账号的 Cookie 后重试',
  CAPTCHA_REQUIRED: '知乎要求该账号完成验证码（40352）：请在浏览器中用该账号打开知乎完成验证，然后重试',
  RISK_CONTROL: '该账号被知乎限制（40362）：请稍后再发布，并在知乎上检查该账号状态',
  PHONE_BINDING_REQUIRED: '知乎要求先绑定手机号才能发布（4031）：请在知乎绑定手机号后重试',
  TOPIC_REQUIRED: '知乎要求这篇文章至少添加一个话题：请添加话题后重新发布',
  TITLE_TOO_LONG: '标题超过知乎的 100 字限制：请缩短标题后重新发布',
  EDITOR_CHANGED: '知乎编辑器有变化，发布程序找不到需要的元素：需要更新发布程序，请联系管理员',
  PUBLISH_REJECTED: '知乎发布时提示错误：系统会自动重试；若一直失败，请到知乎检查这篇文章',
  PUBLISH_TIMEOUT: '知乎响应超时：系统会自动重试',
  BROWSER_CRASHED: '浏览器标签页崩溃：系统会自动重试',
  WORKER_LOST: '执行该任务的工作节点多次失去响应：请检查文章内容后重试',
  IMAGE_UPLOAD_FAILED: '文章中的图片未能上传到知乎，文章尚未发布：系统会自动重试；若一直失败，请检查图片能否打开后重试',
  RATE_LIMITED: '短时间内任务过多：请稍等后再试',
  ARTICLE_NOT_FOUND: '要更新的知乎文章不存在，或属于另一个知乎账号，没有做任何修改：请检查文章 ID（文章地址末尾的数字）和账号后重新提交',
  ACCOUNT_NOT_FOUND: '该任务的账号已被删除：请重新添加账号后重试',
  INTERNAL: '发生意外错误：系统会自动重试；若一直失败，请联系管理员',
} satisfies Record<ErrorCode, string>;

/** A short name per error code of a task. */
export const ERROR_NAME_ZH = {
  LOGIN_EXPIRED: '登录失效',
  CAPTCHA_REQUIRED: '需要验证码',
  RISK_CONTROL: '风控限制',
  PHONE_BINDING_REQUIRED: '需绑定手机',
  TOPIC_REQUIRED: '需要话题',
  TITLE_TOO_LONG: '标题过长',
  EDITOR_CHANGED: '编辑器变化',
  PUBLISH_REJECTED: '发布被拒',
  PUBLISH_TIMEOUT: '发布超时',
  BROWSER_CRASHED: '浏览器崩溃',
  WORKER_LOST: '节点失联',
  IMAGE_UPLOAD_FAILED: '图片上传失败',
  RATE_LIMITED: '频率限制',
  ARTICLE_NOT_FOUND: '文章不存在',
  ACCOUNT_NOT_FOUND: '账号不存在',
  INTERNAL: '内部错误',
} satisfies Record<ErrorCode, string>;

/** Why an article of a batch (or the compose form) was refused. */
export const REJECTION_ZH = {
  TITLE_REQUIRED: '缺少标题：文件需要以一行 “# 标题” 开头',
  TITLE_TOO_LONG: '标题超过 100 个字（知乎的限制），请缩短',
  CONTENT_REQUIRED: '正文为空，请写入正文',
  CONTENT_TOO_LARGE: '正文超过 1 MB，请拆分成多篇',
  TOO_MANY_TOPICS: '话题最多 3 个（知乎的限制）',
  INVALID_TOPIC: '话题不能为空，且每个最多 50 个字',
  INVALID_PRIORITY: '优先级无效',
  INVALID_SCHEDULE: '定时发布时间无效：需为一年以内的时间',
  INVALID_COLUMN: '专栏无效：请填写该账号的专栏 ID（专栏地址的最后一段）',
  INVALID_COVER: '封面无效：需为 http(s) 图片地址或已上传的图片',
  INVALID_OPTION: '创作声明或评论权限的取值无效',
  INVALID_ARTICLE_ID: '知乎文章 ID 无效：应为文章地址末尾的 15–20 位数字',
  INVALID_MODE: '发布方式无效：只能是 publish（发布）或 draft（存草稿）',
  ARTICLE_BUSY: '这篇知乎文章已有一个未结束的更新任务：请等它结束（或取消它）后再提交',
  UNKNOWN_IMAGE: '引用了未上传的图片：请重新上传该图片（粘贴或拖入）后再提交',
  INVALID_ARTICLE: '文章格式无效',
} satisfies Record<RejectionCode, string>;

/** What the server's refusals say, from their codes: the app and the CLI say them alike. */
export const REFUSAL_ZH = {
  forbidden: '没有权限执行此操作',
  notFound: '找不到该对象，可能已被删除',
  taskNotFound: '找不到该任务，可能已被删除',
  conflict: '当前状态不允许此操作',
  tooMany: (s: number | null) => (s ? `操作太频繁，请 ${s} 秒后再试` : '操作太频繁，请稍后再试'),
  tooLarge: '提交的内容太大，请分多次提交',
  unavailable: '服务暂时不可用，请稍后再试',
  internal: '服务器出错，请稍后再试',
  sessionRequired: '这个操作需要在应用中登录后进行，API 令牌不能执行',
  /** A task action refused in the task's state (TASK_STATE). */
  cannot: (verb: string, status: string) => `状态为“${status}”，不能${verb}`,
  verbs: { cancel: '取消', retry: '重试', remove: '删除', reschedule: '修改定时' },
  /** A cancel refused past the click on 发布 (TASK_PAST_CLICK). */
  pastClick: '已在知乎点击发布，无法撤回，不能取消；任务会在验证文章后结束（已发布或待确认）',
};
