/**
 * One realistic set of facts per note code: what each code carries, by example. Tests render
 * every code in every language from these; the type makes a new code without an example fail to
 * compile.
 */
import { z } from 'zod';
import { NOTES, type NoteCode, type NoteParams } from './notes';

export const NOTE_EXAMPLES: { [C in NoteCode]: NoteParams<C> } = {
  claimed: { worker: 'worker-1' },
  claimedAgain: { taken: 2, worker: 'worker-3', attempt: 3 },
  loggedIn: { name: '张三' },
  imagesHosted: { count: 3 },
  editorFilled: { layout: 'today' },
  publishClicked: {},
  pageReached: { path: '/p/1234567890123456789' },
  provenOnPage: {},
  provenAfterRisk: { button: '发布' },
  provenEditorStayed: { button: '确认发布' },
  alreadyPublished: {},
  unconfirmedRisk: { button: '发布' },
  unconfirmedNotPublished: {},
  unconfirmedNoPage: { seconds: 15, button: '发布' },
  handedBack: { worker: 'worker-2' },
  queueUnavailable: {},
  queueEntryLost: {},
  workerGone: {},
  cancelledByUser: {},
  retryRequested: {},
  scheduled: { at: '2026-11-28T09:00:00.000Z' },
  unscheduled: {},
  removedByUser: {},
  registeredLate: {},
  reannounced: {},
  repairedAfterGap: {},
  tabCrashed: {},
  taskMissing: {},
  titleLength: { chars: 120, max: 100 },
  cookiesUnreadable: {},
  timedOut: { cause: 'Navigation timeout of 15000 ms exceeded' },
  tabGone: { cause: 'Protocol error (Page.navigate): Target closed' },
  unreachable: { cause: 'net::ERR_CONNECTION_REFUSED at https://zhuanlan.zhihu.com/write' },
  unexpected: { cause: 'Cannot read properties of null' },
  loginNoAnswer: {},
  loginCaptcha: {},
  loginRisk: {},
  loginHttp: { status: 401 },
  loginNotJson: {},
  loginNoAccount: {},
  checkFailed: { cause: 'Navigation timeout of 15000 ms exceeded' },
  buttonMissing: { button: '添加话题' },
  elementMissing: { element: 'title', selector: 'textarea[placeholder^="请输入标题"]' },
  unknownBodyEditor: { selector: '.public-DraftEditor-content[contenteditable="true"]' },
  editorSignin: {},
  editorCaptcha: {},
  editorHttp: { status: 502 },
  editorNotFilled: {},
  noDraft: {},
  topicNoSuggestion: { topic: '读书笔记' },
  topicNotSaved: { topic: '读书笔记' },
  topicRefused: { topic: '读书笔记', status: 400, said: '话题不存在' },
  controlMissing: { control: 'column', selector: 'select[aria-label="发布到专栏"]' },
  optionUnavailable: { control: 'statement', option: '包含剧透', selector: 'select[aria-label="创作声明"]' },
  columnNotOffered: { column: 'c_404', offered: '前端笔记、读书' },
  coverRefused: { status: 400, said: '图片格式不支持' },
  imageRehostRefused: { image: 'https://example.com/a.png', status: 400, said: '图片上传失败，请稍后重试' },
  imageNoTicket: { image: '/assets/0f343b0931126a20f133d67c2b018a3b', status: 403, said: '你没有权限进行此操作' },
  imageNoToken: { image: '/assets/0f343b0931126a20f133d67c2b018a3b' },
  imagePutRefused: { image: '/assets/0f343b0931126a20f133d67c2b018a3b', status: 403 },
  imageNoReport: { image: '/assets/0f343b0931126a20f133d67c2b018a3b', status: 500 },
  imageNotReady: { image: '/assets/0f343b0931126a20f133d67c2b018a3b', seconds: 15 },
  imageInvalid: { image: 'ftp://example.com/a.png' },
  imageGone: { image: '/assets/0f343b0931126a20f133d67c2b018a3b' },
  refused: { said: '根据国家法律法规要求，发布内容前需要绑定手机号。', zhihuCode: 4031 },
  toast: { said: '发布失败，请稍后重试' },
  captchaPage: { button: '发布' },
  signinPage: { button: '确认发布' },
  listUnreadable: { reason: 'http', status: 503 },
};

/** The facts of a note its text must show as they are (an enum is said in words instead). */
export function shownFacts(code: NoteCode, params: Record<string, unknown>): string[] {
  const shape = NOTES[code].shape as Record<string, z.ZodType>;
  return Object.entries(params)
    .filter(([key, v]) => v !== undefined && !(shape[key] instanceof z.ZodEnum))
    .map(([, v]) => String(v));
}
