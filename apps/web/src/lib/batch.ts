/**
 * Markdown documents -> articles for `task.createBatch`. A document's first ATX `# ` heading
 * (outside code fences) is its title and the rest its body; one without such a heading has no
 * title and is refused. Pasted text holding several documents is split at those headings.
 * A leading YAML front matter block is dropped from the body; its topics and Zhihu settings
 * (column, cover, statement, comment permission; names as Zhihu shows them work too) are used.
 */
import {
  FRONT_MATTER_KEYS as KEYS,
  TITLE_HEADING as HEADING,
  checkArticle,
  splitLines as lines,
  takeTitle,
  walkFences as walk,
  columnOf,
  commentPermissionOf,
  statementOf,
  type ArticleInput,
  type ColumnView,
  type Priority,
  type RejectionCode,
} from '@zpub/shared';
import { firstField, readFrontMatter } from './front-matter';
import { isRelativeRef } from './batch-images';

/** Zhihu settings from the front matter: statement and comment permission already as wire values when known. */
export interface DraftOptions {
  column?: string;
  cover?: string;
  statement?: string;
  commentPermission?: string;
}

export interface Draft {
  /** Where it came from: a file's path in what was dropped, or "paste #n". */
  source: string;
  title: string | null;
  content: string;
  topics: string[];
  options: DraftOptions;
}

export type DraftCheck =
  | { ok: true; article: ArticleInput }
  /** `detail` is the value at fault, for people (the message is the server's, in English). */
  | { ok: false; code: RejectionCode; message: string; detail?: string };

function frontMatter(all: string[]): { rest: string[]; topics: string[]; options: DraftOptions } {
  const { rest, fields } = readFrontMatter(all);
  const topics: string[] = [];
  for (const key of KEYS.topics) {
    const v = fields.get(key);
    if (v !== undefined) topics.push(...(Array.isArray(v) ? v : v.split(/[,，]/)));
  }
  const clean = topics.map((s) => s.trim()).filter((s) => s !== '');
  const options: DraftOptions = {};
  const column = firstField(fields, KEYS.column);
  if (column !== undefined) options.column = column;
  const cover = firstField(fields, KEYS.cover);
  if (cover !== undefined) options.cover = cover;
  const statement = firstField(fields, KEYS.statement);
  if (statement !== undefined) options.statement = statementOf(statement);
  const comment = firstField(fields, KEYS.commentPermission);
  if (comment !== undefined) options.commentPermission = commentPermissionOf(comment);
  return { rest, topics: [...new Set(clean)], options };
}

/** One document: its first `# ` heading is the title, everything else the body. */
export function parseDocument(text: string, source: string): Draft {
  const { rest, topics, options } = frontMatter(lines(text));
  const { title, body } = takeTitle(rest.join('\n'));
  return { source, title, content: body, topics, options };
}

/** Pasted text holding several documents, split before each `# ` heading outside code. */
export function splitDocuments(text: string): string[] {
  const all = lines(text);
  const starts: number[] = [];
  walk(all, (line, i, inFence) => {
    if (!inFence && HEADING.test(line)) starts.push(i);
  });
  const docs: string[] = [];
  const firstStart = starts[0] ?? all.length;
  const preamble = all.slice(0, firstStart).join('\n');
  // Text before the first heading is a document without a title: kept so that it is refused visibly.
  if (preamble.trim() !== '') docs.push(preamble);
  starts.forEach((start, k) => {
    docs.push(all.slice(start, starts[k + 1] ?? all.length).join('\n'));
  });
  return docs;
}

export function isMarkdownFile(name: string, type: string): boolean {
  return /\.(md|markdown|mdown|mkd|txt)$/i.test(name) || type === 'text/markdown';
}

export interface CheckOptions {
  priority: Priority;
  scheduledAt?: string | undefined;
  /** The chosen account's columns, when its login check has read them. */
  columns?: readonly ColumnView[] | undefined;
}

function columnDetail(column: string, known: readonly ColumnView[]): string {
  return `${column} → ${known.map((c) => `${c.title} (${c.id})`).join(', ') || '∅'}`;
}

/**
 * Validates a draft as the server will (the same `checkArticle`), with the batch-wide options.
 * A cover given as a path in the dropped folder is left out here: it is checked as an image file,
 * and becomes an uploaded image's address when the batch is sent.
 */
export function checkDraft(d: Draft, opts: CheckOptions): DraftCheck {
  if (d.title === null || d.title.trim() === '') {
    return { ok: false, code: 'TITLE_REQUIRED', message: 'title: Title is empty' };
  }
  const article: Record<string, unknown> = { title: d.title, content: d.content, topics: d.topics, priority: opts.priority };
  if (opts.scheduledAt) article.scheduledAt = opts.scheduledAt;
  const { column, cover, statement, commentPermission } = d.options;
  if (column !== undefined) article.column = columnOf(column, opts.columns);
  if (cover !== undefined && !isRelativeRef(cover)) article.cover = cover;
  if (statement !== undefined) article.statement = statement;
  if (commentPermission !== undefined) article.commentPermission = commentPermission;
  const check = checkArticle(article);
  if (!check.ok) {
    const field = check.message.split(':')[0] ?? '';
    const value = field in d.options ? d.options[field as keyof DraftOptions] : undefined;
    return value === undefined ? check : { ...check, detail: value };
  }
  const known = opts.columns;
  const chosen = check.article.column;
  if (chosen !== undefined && known !== undefined && !known.some((c) => c.id === chosen)) {
    return { ok: false, code: 'INVALID_COLUMN', message: `column: "${chosen}" is not one of this account's columns`, detail: columnDetail(chosen, known) };
  }
  return check;
}

export function utf8Bytes(s: string): number {
  return new TextEncoder().encode(s).length;
}
