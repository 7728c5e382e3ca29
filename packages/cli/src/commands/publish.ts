/**
 * `zpub publish <files or folders> --account <name>`: reads every Markdown file, skips the ones
 * unchanged since they were published, uploads their local images, submits the rest as one
 * batch (an article that carries `zhihu-id` updates that article), writes what it learns back
 * into each file's front matter, and with `--wait` shows each article's progress until the end.
 * A file that cannot be read as an article is named with its problem and nothing is sent for
 * it; the other files still go out (the exit code says something was left out).
 */
import { readdir, stat } from 'node:fs/promises';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { LIMITS, isTerminal, type ArticleInput, type TaskView } from '@zpub/shared';
import { STATE_KEYS, readArticle, writeState, type BadFile, type PreparedArticle } from '../article-file';
import { errorData, failure } from '../client';
import { CliError, EXIT, type ExitCode } from '../errors';
import { t } from '../i18n';
import type { LocalImage } from '../images';
import { Progress, type Line } from '../progress';
import type { Context } from './context';
import { findAccount } from './accounts';

export interface PublishOptions {
  account: string;
  topics?: string[];
  wait: boolean;
  writeBack: boolean;
  /** Save every article to Zhihu's drafts, not publish it (a file's own `draft:` wins). */
  draft?: boolean;
  /** A folder's subfolders too (hidden ones left out). */
  recursive?: boolean;
}

/** One createBatch call stays well under the server's 4 MiB body limit. */
const CHUNK_BYTES = 3_000_000;
/** How often a waiting CLI also asks for the tasks' states, should an event have been lost. */
const RECHECK_MS = 20_000;

interface Outcome {
  bad: number;
  unchanged: number;
  submitted: number;
  published: number;
  drafted: number;
  failed: number;
}

/** Folders a recursive walk never enters: hidden ones (.git, .obsidian, .trash) and installed packages. */
const SKIPPED_FOLDER = /^(\.|node_modules$)/;
const MARKDOWN = /\.(md|markdown)$/i;

/**
 * The Markdown files the command line names: each file as given, each folder's `*.md` files
 * (and with `recursive`, those of its subfolders, hidden folders left out) in name order. A file
 * named twice is read once. Symbolic links to folders are not followed, so a walk always ends.
 */
export async function collectFiles(cwd: string, paths: string[], recursive = false): Promise<{ path: string; name: string }[]> {
  const seen = new Set<string>();
  const walk = async (dir: string, found: string[]): Promise<void> => {
    const entries = (await readdir(dir, { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const e of entries) {
      if (e.isFile() && !e.name.startsWith('.') && MARKDOWN.test(e.name)) found.push(join(dir, e.name));
      else if (recursive && e.isDirectory() && !SKIPPED_FOLDER.test(e.name)) await walk(join(dir, e.name), found);
    }
  };
  for (const given of paths) {
    const abs = isAbsolute(given) ? given : resolve(cwd, given);
    const info = await stat(abs).catch(() => null);
    if (!info) throw new CliError(t.noSuchPath(given), EXIT.usage);
    if (info.isDirectory()) {
      const found: string[] = [];
      await walk(abs, found);
      if (found.length === 0) {
        throw new CliError(t.noMarkdown(given, recursive), EXIT.usage);
      }
      for (const f of found) seen.add(f);
    } else {
      seen.add(abs);
    }
  }
  return [...seen].map((path) => {
    const rel = relative(cwd, path);
    return { path, name: rel.startsWith('..') ? path : rel };
  });
}

export async function publish(ctx: Context, paths: string[], opts: PublishOptions): Promise<ExitCode> {
  const files = await collectFiles(ctx.env.cwd, paths, opts.recursive);
  const account = await findAccount(ctx, opts.account);
  const outcome: Outcome = { bad: 0, unchanged: 0, submitted: 0, published: 0, drafted: 0, failed: 0 };
  const reportBad = (b: BadFile) => {
    outcome.bad++;
    ctx.err(t.badFile(b.name, `${b.problem}${b.code ? ` [${b.code}]` : ''}`));
  };

  const prepared: PreparedArticle[] = [];
  for (const f of files) {
    const read = await readArticle(f.path, f.name, { topics: opts.topics, columns: account.columns, draft: opts.draft });
    if ('problem' in read) reportBad(read);
    else prepared.push(read);
  }

  // Submissions of earlier runs whose outcome the files have not heard yet.
  const watching = new Map<string, PreparedArticle>();
  const earlier = await tasksById(ctx, prepared.flatMap((p) => (p.state.task ? [p.state.task] : [])));
  const toSend: PreparedArticle[] = [];
  for (const p of prepared) {
    const task = p.state.task ? earlier.get(p.state.task) : undefined;
    if (task?.status === 'success' && task.result) {
      await record(ctx, opts, p, task.result);
      p.state.articleId = task.result.articleId;
      p.state.task = undefined;
    } else if (task && !isTerminal(task.status)) {
      if (opts.wait) watching.set(task.id, p);
      else ctx.out(t.stillRunning(p.name, task.id, task.status));
      continue;
    } else if (task?.status === 'unconfirmed') {
      outcome.failed++;
      ctx.err(t.unconfirmedEarlier(p.name, task.id));
      continue;
    }
    if (!p.state.task && p.state.articleId && p.state.hash === p.hash) {
      outcome.unchanged++;
      ctx.out(t.unchanged(p.name, p.state.articleId));
      continue;
    }
    toSend.push(p);
  }

  const uploaded = await uploadImages(ctx, toSend, reportBad);
  const ready = toSend.filter((p) => uploaded.has(p));
  const lines = new Map<string, Line>();
  const progress = new Progress(process.stdout, lines, ctx.env.color);
  const ended = new Set<string>();
  const fileOf = new Map<string, PreparedArticle>(watching);
  const finish = async (taskId: string, line: Line) => {
    if (ended.has(taskId)) return;
    ended.add(taskId);
    const p = fileOf.get(taskId);
    if (line.status === 'success') {
      if (line.stage === 'drafted') outcome.drafted++;
      else outcome.published++;
      if (p && line.url && line.articleId) await record(ctx, opts, p, { url: line.url, articleId: line.articleId });
    } else {
      outcome.failed++;
      ctx.err(t.notPublished(line.name, line.status, line.error));
    }
  };

  const sub = opts.wait && (ready.length > 0 || watching.size > 0) ? await subscribe(ctx, progress, finish) : null;
  try {
    for (const [taskId, p] of watching) lines.set(taskId, newLine(p.name));
    const created = await submit(ctx, account.id, ready, reportBad);
    for (const [taskId, p] of created) {
      outcome.submitted++;
      fileOf.set(taskId, p);
      if (opts.writeBack) await safeWrite(ctx, p, { [STATE_KEYS.hash]: p.hash, [STATE_KEYS.task]: taskId });
      if (sub) lines.set(taskId, newLine(p.name));
      else ctx.out(t.submittedAs(p.name, taskId, p.article.articleId));
    }
    if (sub && lines.size > 0) {
      await seed(ctx, progress, lines, finish);
      progress.flush();
      await sub.until(() => [...lines.keys()].every((id) => ended.has(id)), () => seed(ctx, progress, lines, finish));
      progress.flush();
    }
  } finally {
    sub?.stop();
  }

  ctx.out(t.summary({ wait: opts.wait, ...outcome }));
  if (!opts.wait && outcome.submitted > 0) ctx.out(t.followThem);
  return outcome.bad > 0 || outcome.failed > 0 ? EXIT.failed : EXIT.ok;
}

function newLine(name: string): Line {
  return { name, status: 'pending', progress: 0, stage: 'created', v: -1 };
}

/** The file now names the article; the pending task is settled. */
async function record(ctx: Context, opts: PublishOptions, p: PreparedArticle, result: { url: string; articleId: string }): Promise<void> {
  if (!opts.writeBack || !result.articleId) return;
  await safeWrite(ctx, p, { [STATE_KEYS.id]: result.articleId, [STATE_KEYS.link]: result.url }, [STATE_KEYS.task]);
}

async function safeWrite(ctx: Context, p: PreparedArticle, set: Record<string, string>, remove: string[] = []): Promise<void> {
  try {
    await writeState(p.path, set, remove);
  } catch (err) {
    ctx.err(t.writeBackFailed(p.name, Object.keys(set).join(', '), (err as Error).message, JSON.stringify(set)));
  }
}

async function tasksById(ctx: Context, ids: string[]): Promise<Map<string, TaskView>> {
  const out = new Map<string, TaskView>();
  for (let i = 0; i < ids.length; i += LIMITS.pageMax) {
    const page = await ctx.server.api.task.byIds.query({ ids: ids.slice(i, i + LIMITS.pageMax) }).catch((err: unknown) => {
      throw failure(err, ctx.server.url);
    });
    for (const t of page) out.set(t.id, t);
  }
  return out;
}

/** Uploads each distinct image once; a file whose image could not go up is refused. */
async function uploadImages(ctx: Context, files: PreparedArticle[], reportBad: (b: BadFile) => void): Promise<Set<PreparedArticle>> {
  const results = new Map<string, string | null>();
  const ok = new Set<PreparedArticle>();
  for (const p of files) {
    let problem: string | null = null;
    for (const image of p.images) {
      if (!results.has(image.sha256)) results.set(image.sha256, await uploadOne(ctx, image));
      problem = results.get(image.sha256) ?? null;
      if (problem) break;
    }
    if (problem) reportBad({ path: p.path, name: p.name, problem });
    else ok.add(p);
  }
  return ok;
}

/** null when the image is on the server, else why not. */
async function uploadOne(ctx: Context, image: LocalImage): Promise<string | null> {
  let res: Response;
  try {
    res = await ctx.server.fetch('/assets', { method: 'POST', headers: { 'Content-Type': image.mime }, body: new Uint8Array(image.bytes) });
  } catch (err) {
    throw failure(err, ctx.server.url);
  }
  const body = await res.text();
  if (res.status === 401) throw new CliError(t.tokenRefused(ctx.server.url), EXIT.auth);
  if (res.status === 200 || res.status === 201) {
    const url = (JSON.parse(body) as { url?: unknown }).url;
    if (url === `/assets/${image.sha256}`) return null;
    return t.imageStoredAs(image.ref, String(url), `/assets/${image.sha256}`);
  }
  if (res.status === 404 || res.status === 405) return t.noImageUploads(image.ref, res.status);
  let said: string | undefined;
  try {
    said = (JSON.parse(body) as { error?: { message?: string } }).error?.message;
  } catch {
    // not JSON: the status says enough
  }
  return t.imageUploadFailed(image.ref, image.path, res.status, said);
}

/** createBatch in chunks; answers task id -> file, refused articles reported as bad files. */
async function submit(ctx: Context, accountId: string, files: PreparedArticle[], reportBad: (b: BadFile) => void): Promise<Map<string, PreparedArticle>> {
  const created = new Map<string, PreparedArticle>();
  let chunk: PreparedArticle[] = [];
  let bytes = 0;
  const send = async () => {
    if (chunk.length === 0) return;
    const articles: ArticleInput[] = chunk.map((p) => p.article);
    const res = await ctx.server.api.task.createBatch.mutate({ accountId, articles }).catch((err: unknown) => {
      throw failure(err, ctx.server.url);
    });
    for (const c of res.created) {
      const p = chunk[c.index];
      if (p) created.set(c.taskId, p);
    }
    for (const r of res.rejected) {
      const p = chunk[r.index];
      if (p) reportBad({ path: p.path, name: p.name, problem: t.refusedByServer(r.code, r.message), code: r.code });
    }
    if (res.batchId) ctx.out(t.batchSubmitted(res.batchId, res.created.length));
    chunk = [];
    bytes = 0;
  };
  for (const p of files) {
    const size = Buffer.byteLength(JSON.stringify(p.article));
    if (chunk.length >= LIMITS.batchMax || (chunk.length > 0 && bytes + size > CHUNK_BYTES)) await send();
    chunk.push(p);
    bytes += size;
  }
  await send();
  return created;
}

/** The tasks' current states, for lines whose events came before the subscription (or got lost). */
async function seed(ctx: Context, progress: Progress, lines: Map<string, Line>, finish: (id: string, l: Line) => Promise<void>): Promise<void> {
  const open = [...lines].filter(([, l]) => !isTerminal(l.status)).map(([id]) => id);
  const now = await tasksById(ctx, open);
  for (const [id, t] of now) {
    const line = progress.apply({ taskId: id, status: t.status, progress: t.progress, stage: t.stage, v: t.v, result: t.result, error: t.error });
    if (line) await finish(id, line);
  }
}

interface Subscription {
  until(done: () => boolean, recheck: () => Promise<void>): Promise<void>;
  stop(): void;
}

/** Follows `task.onUpdate` from before the first submission, so no event of ours is missed. */
async function subscribe(ctx: Context, progress: Progress, finish: (id: string, l: Line) => Promise<void>): Promise<Subscription> {
  let wake: () => void = () => undefined;
  let failed: CliError | null = null;
  let queue = Promise.resolve();
  let resolveStarted: () => void = () => undefined;
  let rejectStarted: (e: unknown) => void = () => undefined;
  const started = new Promise<void>((res, rej) => {
    resolveStarted = res;
    rejectStarted = rej;
  });
  const sub = ctx.server.api.task.onUpdate.subscribe(undefined, {
    onStarted: () => resolveStarted(),
    onData: (tracked) => {
      const line = progress.apply(tracked.data);
      if (line) queue = queue.then(() => finish(tracked.data.taskId, line)).then(() => wake());
      else wake();
    },
    onError: (err) => {
      failed = errorData(err)?.code === 'UNAUTHORIZED' || !errorData(err) ? failure(err, ctx.server.url) : new CliError(t.liveUpdatesFailed(err.message), EXIT.failed);
      rejectStarted(failed);
      wake();
    },
  });
  await started;
  return {
    async until(done, recheck) {
      let last = Date.now();
      for (;;) {
        await queue;
        if (failed) throw failed;
        if (done()) return;
        await new Promise<void>((r) => {
          wake = r;
          setTimeout(r, 1000);
        });
        if (Date.now() - last > RECHECK_MS) {
          last = Date.now();
          await recheck();
        }
      }
    },
    stop: () => sub.unsubscribe(),
  };
}
