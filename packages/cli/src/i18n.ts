/**
 * Every sentence zpub prints, in Simplified Chinese (the product's first language, as in the app)
 * and in English. The language comes from ZPUB_LANG, else from the locale (LC_ALL, LC_MESSAGES,
 * LANG): a Chinese locale, or none at all (C, POSIX), gives Chinese; any other gives English.
 * What zpub quotes as data (file names, titles, addresses, ids, codes) is never translated.
 */
import {
  ERROR_ADVICE_ZH,
  frontMatterProblemText,
  REFUSAL_ZH,
  knownNote,
  NOTE_ZH,
  noteParts,
  plainText,
  REJECTION_ZH,
  STAGE_ZH,
  STATUS_ZH,
  taskErrorText,
  unconfirmedText,
  type AccountState,
  type FrontMatterProblem,
  type Note,
  type RejectionCode,
  type TaskError,
  type TaskStatus,
} from '@zpub/shared';

export type Lang = 'zh-CN' | 'en';

/** The language of a process's environment (see the file's comment). */
export function langOf(env: NodeJS.ProcessEnv): Lang {
  const chosen = (env.ZPUB_LANG ?? '').trim().toLowerCase();
  if (chosen.startsWith('zh')) return 'zh-CN';
  if (chosen.startsWith('en')) return 'en';
  const locale = [env.LC_ALL, env.LC_MESSAGES, env.LANG].find((v) => v !== undefined && v.trim() !== '')?.trim() ?? '';
  if (locale === '' || /^(c|posix)([._@]|$)/i.test(locale) || /^zh/i.test(locale)) return 'zh-CN';
  return 'en';
}

const ACCOUNT_STATE_ZH: Record<AccountState, string> = { unverified: '未验证', active: '有效', expired: '已失效' };

/** A refusal of the server: its tRPC code, its own code and facts (`data` of the error). */
export interface Refusal {
  code: string;
  appCode: string | null;
  params: Record<string, unknown>;
  retryAfterS: number | null;
}

/** What each tRPC code says when no code of the app says more, in the app's words. */
const CODE_ZH: Record<string, string> = {
  UNAUTHORIZED: '令牌有误或已被撤销',
  FORBIDDEN: REFUSAL_ZH.forbidden,
  NOT_FOUND: REFUSAL_ZH.notFound,
  CONFLICT: REFUSAL_ZH.conflict,
  TOO_MANY_REQUESTS: REFUSAL_ZH.tooMany(null),
  BAD_REQUEST: '提交的内容有误',
  PAYLOAD_TOO_LARGE: REFUSAL_ZH.tooLarge,
  SERVICE_UNAVAILABLE: REFUSAL_ZH.unavailable,
  INTERNAL_SERVER_ERROR: REFUSAL_ZH.internal,
};

/** A task action refused in the task's state, as the app says it. */
function stateRefusalZh(action: string, status: string): string {
  const verb = REFUSAL_ZH.verbs[action as keyof typeof REFUSAL_ZH.verbs];
  const name = STATUS_ZH[status as TaskStatus];
  return verb && name ? REFUSAL_ZH.cannot(verb, name) : REFUSAL_ZH.conflict;
}

const UNCONFIRMED_ZH = '请到知乎查看该账号的文章，确认它是否已发出；重试时会先在知乎上查找它，不会重复发布';

/** A note said in Chinese, its data as it is. */
function noteZh(n: Note): string {
  return plainText(noteParts(n, NOTE_ZH));
}

/** Joins what happened and what to do with the punctuation of the language. */
function thenZh(what: string, todo: string): string {
  return `${what.replace(/[。.\s]+$/, '')}。${todo}`;
}

function problemZh(p: FrontMatterProblem): string {
  switch (p.kind) {
    case 'list':
      return `${p.key} 只能有一个值，这里写的是列表`;
    case 'notBoolean':
      return `${p.key} 只能是 true 或 false，这里写的是 “${p.value}”`;
    case 'notArticleLink':
      return `${p.key} 的 “${p.value}” 不是知乎文章地址（…/p/<15–20 位数字>）`;
  }
}

const zh = {
  usage: `zpub：通过 zpub 服务器把 Markdown 文件发布到知乎专栏

用法：
  zpub login --token <令牌> [--server <地址>]   检查个人 API 令牌（在应用的 “API 令牌” 页面创建）并保存；
                                                --token - 从标准输入读取令牌
  zpub accounts                                 列出用来发布的账号
  zpub publish <文件或文件夹...> --account <账号名> [--topics a,b] [--draft] [--wait] [--no-write-back] [-r]
                                                发布这些 Markdown 文件（文件夹：其中的 *.md 文件；
                                                -r、--recursive：连同子文件夹，隐藏文件夹除外）；
                                                没有改动的文件会跳过，发布过的文章在原文上更新；
                                                --draft 只保存到知乎草稿箱，不发布
  zpub status [批次|任务]                       最近的任务，或一个批次、一个任务
  zpub cancel <任务|批次>
  zpub retry <任务|批次>

文件开头的 YAML（两行 --- 之间）：title（或第一行 “# 标题”）、topics（或 tags）、column、cover、
statement、comment、schedule、priority、draft（true：只存草稿）。发布后 zpub 会把 zhihu-id、
zhihu-link 和 zpub-hash 写回文件开头（任务进行中还有 zpub-task）；--no-write-back 不改文件，
下次运行会再次发布它们。

退出码：0 完成；1 有文章没有发布，或操作未能完成；2 命令行有误；3 未登录，或令牌被拒绝；
4 无法连接服务器。
环境变量：ZPUB_SERVER 和 ZPUB_TOKEN 优先于保存的登录信息；XDG_CONFIG_HOME；NO_COLOR；
ZPUB_LANG=en 改用英文（默认跟随系统语言，未设置时为中文）。`,
  badCommandLine: (why: string) => `命令行有误：${why}\n运行 \`zpub --help\` 查看命令。`,
  unknownOption: (option: string) => `不认识的选项 ${option}`,
  optionNeedsValue: (option: string) => `选项 ${option} 需要一个值`,
  unexpectedArgument: (arg: string) => `多余的参数 ${arg}`,
  notLoggedIn: '尚未登录：请在应用的 “API 令牌” 页面创建令牌，然后运行 `zpub login --token <令牌> --server <应用的地址>`',
  unknownCommand: (command: string) => `没有 “${command}” 这个命令。运行 \`zpub --help\` 查看命令。`,
  takesNoOption: (command: string, options: string[]) => `zpub ${command} 不接受 --${options.join('、--')}`,
  loginTakesNoArguments: 'zpub login 除了 --token 和 --server 不接受其他参数',
  loginNeedsToken: 'zpub login 需要 --token <令牌>（或 --token -，从标准输入读取）',
  accountsTakesNoArguments: 'zpub accounts 不接受参数',
  publishNeedsFiles: 'zpub publish 需要要发布的 Markdown 文件或文件夹',
  publishNeedsAccount: 'zpub publish 需要 --account <账号名>（`zpub accounts` 会列出账号）',
  statusTakesOne: 'zpub status 最多接受一个批次或任务 ID',
  steerTakesOne: (command: string) => `zpub ${command} 需要一个任务或批次 ID`,
  stopped:
    '\nzpub：已停止。已提交的任务会在服务器上继续执行：`zpub status` 可以查看；下次对同样的文件运行 `zpub publish` 会取回它们的结果。\n',
  unexpectedError: (what: string) => `意外错误：${what}`,

  tokenRefused: (server: string) => `${server} 拒绝了这个令牌：令牌有误或已被撤销。请在 API 令牌页面（${server}/tokens）创建新令牌`,
  tokenRefusedLogin: (server: string) =>
    `${server} 拒绝了这个令牌：令牌有误或已被撤销。请在 API 令牌页面（${server}/tokens）创建新令牌，然后运行 \`zpub login --token <令牌> --server ${server}\``,
  unavailable: (server: string, _said: string) => `${server} 暂时不可用，请稍后再试`,
  unreachable: (server: string, why: string) => `无法连接 ${server} 上的 zpub 服务器（${why}）：服务器是否在运行，地址是否正确？`,
  serverRefusal: (r: Refusal, _message: string) => {
    const said = (k: string) => (typeof r.params[k] === 'string' ? (r.params[k] as string) : '');
    switch (r.appCode) {
      case 'TASK_PAST_CLICK':
        return REFUSAL_ZH.pastClick;
      case 'TASK_STATE':
        return stateRefusalZh(said('action'), said('status'));
      case 'ARTICLE_BUSY':
        return REJECTION_ZH.ARTICLE_BUSY;
      case 'SESSION_REQUIRED':
        return REFUSAL_ZH.sessionRequired;
      case 'RATE_LIMITED':
        return REFUSAL_ZH.tooMany(r.retryAfterS);
    }
    return CODE_ZH[r.code] ?? `服务器拒绝了这个操作（${r.code}）`;
  },
  notAToken: '这不是 zpub 的 API 令牌（令牌以 “zpub_” 开头，后面是 43 个字母、数字、“-” 或 “_”）：请从应用的 API 令牌页面重新复制',
  loggedIn: (server: string, email: string, file: string) => `已以 ${email} 的身份登录 ${server}；令牌保存在 ${file}（只有你能读取）。`,
  configUnreadable: (file: string, why: string) => `无法读取 ${file}（${why}）`,
  configNotJson: (file: string) => `${file} 不是有效的 JSON：请重新运行 \`zpub login\` 改写它`,
  configIncomplete: (file: string) => `${file} 缺少服务器地址或令牌：请重新运行 \`zpub login\` 改写它`,
  serverNotAddress: (raw: string) => `--server：“${raw}” 不是一个地址（例如 https://zpub.example.com）`,
  serverNotHttp: (protocol: string) => `--server：请使用 http(s) 地址，而不是 ${protocol}`,

  noAccounts: (url: string) => `还没有账号：请在应用中添加（${url}/accounts）。`,
  accountHead: ['账号名', '平台', '状态', '知乎用户', '专栏', 'ID'],
  accountState: (s: AccountState) => ACCOUNT_STATE_ZH[s],
  sameName: (n: number, name: string, ids: string) => `有 ${n} 个账号都叫 “${name}”：请改用账号 ID：${ids}`,
  noAccount: (name: string, names: string[], url: string) => `没有叫 “${name}” 的账号。${names.length > 0 ? `你的账号：${names.map((n) => `“${n}”`).join('、')}。` : `请在应用中添加（${url}/accounts）。`}`,

  noSuchPath: (given: string) => `${given}：没有这个文件或文件夹`,
  noMarkdown: (given: string, recursive: boolean) => (recursive ? `${given}：这个文件夹及其子文件夹里没有 Markdown 文件（*.md）` : `${given}：这个文件夹里没有 Markdown 文件（*.md）（--recursive 会连同子文件夹一起读取）`),
  badFile: (name: string, problem: string) => `✗ ${name}：${problem}。这个文件没有发布任何内容`,
  stillRunning: (name: string, task: string, status: TaskStatus) => `… ${name}：任务 ${task} 仍在发布（${STATUS_ZH[status]}）；用 zpub status 查看进展`,
  unconfirmedEarlier: (name: string, task: string) => `? ${name}：任务 ${task} 已点击发布，但无法证明文章已上线。请到知乎查看该账号的文章；如果没有，运行 \`zpub retry ${task}\``,
  unchanged: (name: string, articleId: string) => `= ${name}：发布后没有改动（${articleId}）`,
  notPublished: (name: string, status: TaskStatus, error: string | undefined) => `✗ ${name}：${STATUS_ZH[status]}${error ? `：${error}` : ''}`,
  summary: (o: { wait: boolean; published: number; submitted: number; drafted: number; failed: number; unchanged: number; bad: number }) =>
    [
      o.wait ? `${o.published} 篇已发布` : `${o.submitted} 篇已提交`,
      ...(o.drafted > 0 ? [`${o.drafted} 篇已存为草稿`] : []),
      ...(o.failed > 0 ? [`${o.failed} 篇未发布`] : []),
      `${o.unchanged} 篇没有改动`,
      ...(o.bad > 0 ? [`${o.bad} 篇被拒绝`] : []),
    ].join('，'),
  followThem: '用 `zpub status` 查看进展，或加上 --wait 再运行一次。',
  writeBackFailed: (name: string, keys: string, why: string, json: string) => `! ${name}：无法把 ${keys} 写回文件（${why}）；请手动加上：${json}`,
  imageStoredAs: (ref: string, url: string, expected: string) => `图片 ${ref}：服务器把它保存为 ${url}，而不是 ${expected}`,
  noImageUploads: (ref: string, status: number) => `图片 ${ref}：这个服务器不接受图片上传（POST /assets 返回 ${status}）：请更新服务器`,
  imageUploadFailed: (ref: string, path: string, status: number, _said: string | undefined) =>
    `图片 ${ref}（${path}）上传失败：${status === 413 ? '图片太大' : status === 415 ? '服务器不接受这种图片格式' : status === 429 ? '上传太频繁，请稍后再试' : `HTTP ${status}`}`,
  refusedByServer: (code: RejectionCode | undefined, message: string) => `服务器拒绝了它：${code ? REJECTION_ZH[code] : message}`,
  batchSubmitted: (batch: string, n: number) => `批次 ${batch}：已提交 ${n} 篇文章（zpub status ${batch}）`,
  submittedAs: (name: string, task: string, articleId: string | undefined) => `→ ${name}：已提交为任务 ${task}${articleId ? `（更新文章 ${articleId}）` : ''}`,
  liveUpdatesFailed: (why: string) => `实时进度中断：${why}`,

  imageNotFound: (ref: string, path: string) => `找不到图片 ${ref}（查找的是 ${path}）`,
  imageIsFolder: (ref: string, path: string) => `图片 ${ref} 是一个文件夹（${path}）`,
  imageUnreadable: (ref: string, path: string, why: string) => `无法读取图片 ${ref}（${path}：${why}）`,
  imageTooLarge: (ref: string, mib: string, limit: number, path: string) => `图片 ${ref} 有 ${mib} MiB，上限是 ${limit} MiB（${path}）`,
  imageNotImage: (ref: string, path: string) => `图片 ${ref} 不是 PNG、JPEG、GIF 或 WebP 图片（${path}）`,
  joinProblems: '；',

  fileUnreadable: (why: string) => `无法读取（${why}）`,
  frontMatterNotClosed: '第 1 行用 “---” 开始的文件开头信息没有用 “---” 行结束',
  notYaml: (why: string) => `文件开头信息不是有效的 YAML（${why}）`,
  notKeyValue: '文件开头信息必须是 “键: 值” 的行',
  wrongShape: (keys: string[]) => `文件开头信息：${keys.join('、')} 只能是文字或文字列表`,
  frontMatterProblems: (problems: FrontMatterProblem[]) => `文件开头信息：${problems.map(problemZh).join('；')}`,
  noTitle: '没有标题：请在文件开头信息里写 “title:”，或用一行 “# 标题” 开始正文',
  coverProblem: (problem: string) => `封面：${problem}`,
  articleRefused: (code: RejectionCode, message: string) => (code === 'INVALID_ARTICLE' ? `${REJECTION_ZH[code]}（${message}）` : REJECTION_ZH[code]),

  notAnId: (id: string) => `“${id}” 不是任务或批次 ID（24 位十六进制字符）`,
  noTasks: '还没有任务。',
  taskHead: ['状态', '进度', '标题', '结果', '任务'],
  latestOf: (shown: number, total: number) => `（共 ${total} 个，显示最近的 ${shown} 个）`,
  noTaskOrBatch: (id: string) => `你的任务和批次中没有 ${id}`,
  batchCounts: (batch: string, counts: [TaskStatus, number][]) => `批次 ${batch}：${counts.map(([s, n]) => `${STATUS_ZH[s]} ${n} 个`).join('，')}`,
  steered: (task: string, title: string, status: TaskStatus) => `任务 ${task}（${title}）：${STATUS_ZH[status]}`,
  batchSteered: (batch: string, action: 'cancel' | 'retry', changed: number, skipped: number) => `批次 ${batch}：${action === 'cancel' ? '取消' : '重试'}了 ${changed} 个，${skipped} 个保持原样`,
  skipReason: (s: { code?: string; reason: string; status?: string }, action: 'cancel' | 'retry') =>
    s.code === 'TASK_PAST_CLICK' ? REFUSAL_ZH.pastClick : s.code === 'TASK_STATE' && s.status ? stateRefusalZh(action, s.status) : (CODE_ZH[s.code ?? ''] ?? `没有${REFUSAL_ZH.verbs[action]}（${s.code ?? '?'}）`),

  statusWord: (status: TaskStatus, drafted: boolean) => (status === 'success' && drafted ? '已存草稿' : STATUS_ZH[status]),
  stageWord: (stage: string) => STAGE_ZH[stage as keyof typeof STAGE_ZH] ?? stage,
  progressSummary: (published: number, not: number, moving: number, waiting: number) => `已发布 ${published}，未发布 ${not}，进行中 ${moving}，等待中 ${waiting}`,
  /** A task's error: what happened (its note), then what to do. */
  taskError: (error: TaskError, unconfirmed: boolean) => {
    const detail = knownNote(error.detail);
    const todo = unconfirmed ? UNCONFIRMED_ZH : ERROR_ADVICE_ZH[error.code];
    return detail ? thenZh(noteZh(detail), todo) : todo;
  },
  unconfirmed: (why: Note) => (why.code === 'unconfirmedDraft' ? noteZh(why) : thenZh(noteZh(why), UNCONFIRMED_ZH)),
};

export type CliTexts = typeof zh;

const en: CliTexts = {
  usage: `zpub: publish Markdown files to Zhihu columns through a zpub server

Usage:
  zpub login --token <token> [--server <url>]   check a personal API token (create one on the
                                                app's API tokens page) and keep it; --token -
                                                reads it from standard input
  zpub accounts                                 the accounts you publish with
  zpub publish <files or folders...> --account <name> [--topics a,b] [--draft] [--wait] [--no-write-back] [-r]
                                                publish the Markdown files (a folder: its *.md
                                                files; -r, --recursive: its subfolders' too,
                                                hidden ones left out); unchanged ones are
                                                skipped, and one that was published before is
                                                updated in place; --draft saves them to
                                                Zhihu's drafts instead
  zpub status [batch|task]                      your latest tasks, or one batch or task
  zpub cancel <task|batch>
  zpub retry <task|batch>

Front matter (YAML between --- lines): title (or the first "# " line), topics (or tags),
column, cover, statement, comment, schedule, priority, draft (true: save as a draft). After a publish zpub writes zhihu-id,
zhihu-link and zpub-hash into it (zpub-task while a task runs); --no-write-back leaves the
files alone, and the next run then publishes them again.

Exit codes: 0 done; 1 something was not published or could not be done; 2 bad command line;
3 not logged in, or the token was refused; 4 the server cannot be reached.
Environment: ZPUB_SERVER and ZPUB_TOKEN override the saved login; XDG_CONFIG_HOME; NO_COLOR;
ZPUB_LANG=zh-CN or en (default: the locale's language; Chinese when it names none).`,
  badCommandLine: (why) => `${why}\nRun \`zpub --help\` for the commands.`,
  unknownOption: (option) => `Unknown option ${option}`,
  optionNeedsValue: (option) => `Option ${option} needs a value`,
  unexpectedArgument: (arg) => `Unexpected argument ${arg}`,
  notLoggedIn: 'Not logged in: create a token on the API tokens page of the app, then run `zpub login --token <token> --server <address of the app>`',
  unknownCommand: (command) => `Unknown command "${command}". Run \`zpub --help\` for the commands.`,
  takesNoOption: (command, options) => `zpub ${command} takes no --${options.join(', --')}`,
  loginTakesNoArguments: 'zpub login takes no arguments besides --token and --server',
  loginNeedsToken: 'zpub login needs --token <token> (or --token - to read it from standard input)',
  accountsTakesNoArguments: 'zpub accounts takes no arguments',
  publishNeedsFiles: 'zpub publish needs the Markdown files or folders to publish',
  publishNeedsAccount: 'zpub publish needs --account <name> (`zpub accounts` lists them)',
  statusTakesOne: 'zpub status takes at most one batch or task id',
  steerTakesOne: (command) => `zpub ${command} takes one task or batch id`,
  stopped: '\nzpub: stopped. Tasks already submitted go on on the server: `zpub status` shows them, and the next `zpub publish` of the same files picks up their outcome.\n',
  unexpectedError: (what) => `unexpected error: ${what}`,

  tokenRefused: (server) => `${server} refused the token: it is wrong or was revoked. Create a new one on the API tokens page (${server}/tokens)`,
  tokenRefusedLogin: (server) => `${server} refused the token: it is wrong or was revoked. Create a new one on the API tokens page (${server}/tokens), then run \`zpub login --token <token> --server ${server}\``,
  unavailable: (server, said) => `${server} is temporarily unavailable: ${said}`,
  unreachable: (server, why) => `Cannot reach a zpub server at ${server} (${why}); is it running, and is the address right?`,
  serverRefusal: (_r, message) => message,
  notAToken: 'That is not a zpub API token (they start with "zpub_" followed by 43 letters, digits, "-" or "_"). Copy it again from the API tokens page of the app',
  loggedIn: (server, email, file) => `Logged in to ${server} as ${email}; the token is kept in ${file} (readable by you only).`,
  configUnreadable: (file, why) => `Cannot read ${file}: ${why}`,
  configNotJson: (file) => `${file} is not valid JSON; run \`zpub login\` again to rewrite it`,
  configIncomplete: (file) => `${file} lacks a server or a token; run \`zpub login\` again to rewrite it`,
  serverNotAddress: (raw) => `--server: "${raw}" is not an address (e.g. https://zpub.example.com)`,
  serverNotHttp: (protocol) => `--server: use an http(s) address, not ${protocol}`,

  noAccounts: (url) => `No accounts yet: add one in the app (${url}/accounts).`,
  accountHead: ['NAME', 'PLATFORM', 'STATE', 'ZHIHU USER', 'COLUMNS', 'ID'],
  accountState: (s) => s,
  sameName: (n, name, ids) => `${n} accounts are named "${name}"; give its id instead: ${ids}`,
  noAccount: (name, names, url) => `No account named "${name}". ${names.length > 0 ? `Your accounts: ${names.map((n) => `"${n}"`).join(', ')}.` : `Add one in the app (${url}/accounts).`}`,

  noSuchPath: (given) => `${given}: no such file or folder`,
  noMarkdown: (given, recursive) => (recursive ? `${given}: no Markdown files (*.md) in this folder or its subfolders` : `${given}: no Markdown files (*.md) in this folder (--recursive also reads its subfolders)`),
  badFile: (name, problem) => `✗ ${name}: ${problem} — nothing was published for it`,
  stillRunning: (name, task, status) => `… ${name}: still being published by task ${task} (${status}); zpub status shows how it goes`,
  unconfirmedEarlier: (name, task) => `? ${name}: task ${task} clicked 发布 but could not prove the article is live. Check the account's articles on Zhihu; if it is not there, run \`zpub retry ${task}\``,
  unchanged: (name, articleId) => `= ${name}: unchanged since it was published (${articleId})`,
  notPublished: (name, status, error) => `✗ ${name}: ${status}${error ? ` — ${error}` : ''}`,
  summary: (o) =>
    [
      o.wait ? `${o.published} published` : `${o.submitted} submitted`,
      ...(o.drafted > 0 ? [`${o.drafted} saved as drafts`] : []),
      ...(o.failed > 0 ? [`${o.failed} not published`] : []),
      `${o.unchanged} unchanged`,
      ...(o.bad > 0 ? [`${o.bad} refused`] : []),
    ].join(', '),
  followThem: 'Follow them with `zpub status`, or run again with --wait.',
  writeBackFailed: (name, keys, why, json) => `! ${name}: could not write ${keys} back into the file (${why}); add them by hand: ${json}`,
  imageStoredAs: (ref, url, expected) => `image ${ref}: the server stored it as ${url}, not ${expected}`,
  noImageUploads: (ref, status) => `image ${ref}: this server does not take image uploads (POST /assets answered ${status}); update the server`,
  imageUploadFailed: (ref, path, status, said) => `image ${ref} (${path}) could not be uploaded: ${said ?? `HTTP ${status}`}`,
  refusedByServer: (_code, message) => `refused by the server: ${message}`,
  batchSubmitted: (batch, n) => `batch ${batch}: ${n} article(s) submitted (zpub status ${batch})`,
  submittedAs: (name, task, articleId) => `→ ${name}: submitted as task ${task}${articleId ? ` (updates ${articleId})` : ''}`,
  liveUpdatesFailed: (why) => `Live updates failed: ${why}`,

  imageNotFound: (ref, path) => `image ${ref} not found (looked for ${path})`,
  imageIsFolder: (ref, path) => `image ${ref} is a folder (${path})`,
  imageUnreadable: (ref, path, why) => `image ${ref} cannot be read (${path}: ${why})`,
  imageTooLarge: (ref, mib, limit, path) => `image ${ref} is ${mib} MiB; the limit is ${limit} MiB (${path})`,
  imageNotImage: (ref, path) => `image ${ref} is not a PNG, JPEG, GIF or WebP image (${path})`,
  joinProblems: '; ',

  fileUnreadable: (why) => `cannot be read: ${why}`,
  frontMatterNotClosed: 'the front matter opened with "---" on line 1 is never closed by a "---" line',
  notYaml: (why) => `front matter is not valid YAML: ${why}`,
  notKeyValue: 'front matter must be "key: value" lines',
  wrongShape: (keys) => `front matter: ${keys.join(', ')}: expected text or a list of text`,
  frontMatterProblems: (problems) => `front matter: ${problems.map(frontMatterProblemText).join('; ')}`,
  noTitle: 'has no title: give it a "title:" in the front matter or start it with a "# Title" line',
  coverProblem: (problem) => `cover: ${problem}`,
  articleRefused: (_code, message) => message,

  notAnId: (id) => `"${id}" is not a task or batch id (24 hexadecimal characters)`,
  noTasks: 'No tasks yet.',
  taskHead: ['STATUS', 'PROGRESS', 'TITLE', 'RESULT', 'TASK'],
  latestOf: (shown, total) => `(the latest ${shown} of ${total})`,
  noTaskOrBatch: (id) => `No task or batch ${id} (among yours)`,
  batchCounts: (batch, counts) => `batch ${batch}: ${counts.map(([s, n]) => `${n} ${s}`).join(', ')}`,
  steered: (task, title, status) => `task ${task} (${title}): ${status}`,
  batchSteered: (batch, action, changed, skipped) => `batch ${batch}: ${changed} ${action === 'cancel' ? 'cancelled' : 'retried'}, ${skipped} left as they were`,
  skipReason: (s) => s.reason,

  statusWord: (status, drafted) => (status === 'success' ? (drafted ? 'drafted' : 'published') : status),
  stageWord: (stage) => stage,
  progressSummary: (published, not, moving, waiting) => `${published} published, ${not} not, ${moving} in progress, ${waiting} waiting`,
  taskError: (error, unconfirmed) => taskErrorText(error, unconfirmed),
  unconfirmed: (why) => unconfirmedText(why),
};

/** The sentences in use; `useLang` chooses them once, at the start of a run. */
export let t: CliTexts = zh;

export function useLang(lang: Lang): void {
  t = lang === 'en' ? en : zh;
}

/** For tests: both catalogues. */
export const TEXTS: Record<Lang, CliTexts> = { 'zh-CN': zh, en };
