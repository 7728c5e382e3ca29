/**
 * One Markdown file -> one article, or a sentence saying why not. The front matter is YAML
 * (read with `yaml`, whose Document keeps comments and order when we write back); its keys mean
 * what `@zpub/shared`'s `articleFromFrontMatter` says. What a publish writes back lives in the
 * same block: `zhihu-id` and `zhihu-link` (the article), `zpub-hash` (what was sent),
 * `zpub-task` (a submission whose outcome the file has not heard yet).
 */
import { createHash } from 'node:crypto';
import { readFile, rename, stat, writeFile } from 'node:fs/promises';
import {
  FRONT_MATTER_KEYS,
  articleFromFrontMatter,
  isRelativeRef,
  checkArticle,
  splitDocument,
  takeTitle,
  type ArticleInput,
  type ColumnView,
  type FrontValue,
  type RejectionCode,
} from '@zpub/shared';
import { isMap, isScalar, isSeq, parseDocument, type Document } from 'yaml';
import { t } from './i18n';
import { readImage, resolveImages, type LocalImage } from './images';

/** Front matter keys the CLI writes. */
export const STATE_KEYS = { id: 'zhihu-id', link: 'zhihu-link', hash: 'zpub-hash', task: 'zpub-task' } as const;

export interface FileState {
  articleId?: string;
  hash?: string;
  task?: string;
}

export interface PreparedArticle {
  path: string;
  /** As shown to the person: relative to where the command ran. */
  name: string;
  article: ArticleInput;
  images: LocalImage[];
  /** Of what is sent about the article's content and settings (not its schedule or priority). */
  hash: string;
  state: FileState;
}

export interface BadFile {
  path: string;
  name: string;
  problem: string;
  code?: RejectionCode;
}

export interface ReadOptions {
  /** Topics for files whose front matter names none. */
  topics?: string[];
  /** The account's columns, so a column can be named by its title. */
  columns?: readonly ColumnView[];
  /** Save to Zhihu's drafts (`--draft`) unless the file's own `draft:` says otherwise. */
  draft?: boolean;
}

function parseYaml(block: string): Document | string {
  const doc = parseDocument(block, { intAsBigInt: true, uniqueKeys: true, prettyErrors: true });
  const err = doc.errors[0];
  if (err) return t.notYaml(err.message.split('\n')[0] ?? '');
  if (doc.contents !== null && !isMap(doc.contents)) return t.notKeyValue;
  return doc;
}

function text(v: unknown): string | null {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'bigint' || typeof v === 'boolean') return String(v);
  return null;
}

/** The front matter as text values (keys lower-cased); a key whose value is neither text nor a list of text is left out and named. */
function fieldsOf(doc: Document | null): { fields: Map<string, FrontValue>; nested: string[] } {
  const fields = new Map<string, FrontValue>();
  const nested: string[] = [];
  if (!doc || !isMap(doc.contents)) return { fields, nested };
  for (const pair of doc.contents.items) {
    const key = isScalar(pair.key) ? text(pair.key.value) : null;
    if (key === null) continue;
    const value = pair.value;
    if (value === null || (isScalar(value) && value.value === null)) continue;
    if (isScalar(value)) {
      const s = text(value.value);
      if (s !== null) fields.set(key.toLowerCase(), s);
    } else if (isSeq(value)) {
      const items = value.items.map((i) => (isScalar(i) ? text(i.value) : null));
      if (items.every((i): i is string => i !== null)) fields.set(key.toLowerCase(), items);
      else nested.push(key.toLowerCase());
    } else {
      nested.push(key.toLowerCase());
    }
  }
  return { fields, nested };
}

/** The article id, hash and task a file carries from earlier runs. */
function stateOf(fields: Map<string, FrontValue>, article: Record<string, unknown>): FileState {
  const one = (k: string) => {
    const v = fields.get(k);
    return typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined;
  };
  const state: FileState = {};
  if (typeof article.articleId === 'string') state.articleId = article.articleId;
  const hash = one(STATE_KEYS.hash);
  if (hash) state.hash = hash;
  const task = one(STATE_KEYS.task);
  if (task && /^[a-f0-9]{24}$/.test(task)) state.task = task;
  return state;
}

/** What identifies the article's content: a change here means the article must be sent again. */
export function articleHash(a: ArticleInput): string {
  const basis = [a.title, a.content, a.topics, a.column ?? null, a.cover ?? null, a.statement ?? null, a.commentPermission ?? null, a.mode ?? 'publish'];
  return createHash('sha256').update(JSON.stringify(basis)).digest('hex').slice(0, 20);
}

const ARTICLE_KEYS = new Set<string>(Object.values(FRONT_MATTER_KEYS).flat());

/** Leading blank lines and trailing white space go; the first line's indentation stays. */
function trimBody(body: string): string {
  return body.replace(/^(?:[ \t]*\n)+/, '').replace(/\s+$/, '');
}

export async function readArticle(path: string, name: string, opts: ReadOptions = {}): Promise<PreparedArticle | BadFile> {
  const bad = (problem: string, code?: RejectionCode): BadFile => ({ path, name, problem, ...(code ? { code } : {}) });
  let raw: string;
  try {
    raw = await readFile(path, 'utf8');
  } catch (err) {
    return bad(t.fileUnreadable((err as Error).message));
  }
  const split = splitDocument(raw);
  if ('error' in split) return bad(t.frontMatterNotClosed);
  const doc = split.frontMatter === null ? null : parseYaml(split.frontMatter);
  if (typeof doc === 'string') return bad(doc);
  const { fields, nested } = fieldsOf(doc);
  const wrongShape = nested.filter((k) => ARTICLE_KEYS.has(k) || k.startsWith('zhihu-') || k.startsWith('zpub-'));
  if (wrongShape.length > 0) return bad(t.wrongShape(wrongShape));
  const mapped = articleFromFrontMatter(fields, opts.columns);
  if (mapped.problems.length > 0) return bad(t.frontMatterProblems(mapped.problems));
  const fromFm = mapped.fields;

  const heading = takeTitle(split.body);
  let body = heading.body;
  if (typeof fromFm.title === 'string') {
    // A heading that repeats the front matter's title is not part of the body.
    if (heading.title !== fromFm.title.trim()) body = trimBody(split.body);
  } else if (heading.title !== null) {
    fromFm.title = heading.title;
  } else {
    return bad(t.noTitle, 'TITLE_REQUIRED');
  }
  if (fromFm.topics === undefined && opts.topics && opts.topics.length > 0) fromFm.topics = opts.topics;
  if (fromFm.mode === undefined && opts.draft) fromFm.mode = 'draft';

  const resolved = await resolveImages(path, body);
  if ('problems' in resolved) return bad(resolved.problems.join(t.joinProblems));
  const images = [...resolved.images];
  if (typeof fromFm.cover === 'string' && isRelativeRef(fromFm.cover)) {
    const cover = await readImage(path, fromFm.cover);
    if (typeof cover === 'string') return bad(t.coverProblem(cover));
    if (!images.some((i) => i.sha256 === cover.sha256)) images.push(cover);
    fromFm.cover = `/assets/${cover.sha256}`;
  }

  const check = checkArticle({ ...fromFm, content: resolved.body });
  if (!check.ok) return bad(t.articleRefused(check.code, check.message), check.code);
  return { path, name, article: check.article, images, hash: articleHash(check.article), state: stateOf(fields, fromFm) };
}

/**
 * Sets and removes front matter keys, keeping the rest of the file as it is (comments, order,
 * line endings, the body byte for byte). The file is read again first: the person may have
 * edited it while the article was being published.
 */
export async function writeState(path: string, set: Record<string, string>, remove: string[] = []): Promise<void> {
  const raw = await readFile(path, 'utf8');
  const bom = raw.startsWith('\uFEFF') ? '\uFEFF' : '';
  const split = splitDocument(raw);
  if ('error' in split) throw new Error(split.error);
  const parsed = parseYaml(split.frontMatter ?? '');
  if (typeof parsed === 'string') throw new Error(parsed);
  if (!isMap(parsed.contents)) parsed.contents = parsed.createNode({});
  for (const [k, v] of Object.entries(set)) parsed.set(k, v);
  for (const k of remove) parsed.delete(k);
  // `[a, b]` stays as people (and Obsidian) write it, not `[ a, b ]`: a Git diff of the file then
  // shows only the lines zpub added.
  const block = parsed.toString({ lineWidth: 0, flowCollectionPadding: false });
  const out = `${bom}---\n${block}---\n${split.body}`.replace(/\r?\n/g, split.eol);
  const tmp = `${path}.zpub-${process.pid}.tmp`;
  const { mode } = await stat(path);
  await writeFile(tmp, out, { mode });
  await rename(tmp, path);
}
