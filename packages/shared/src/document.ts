/**
 * A Markdown file as people keep articles: an optional YAML front matter block, then the body,
 * whose first `# ` heading is the title unless the front matter names one. This file splits the
 * text and maps front matter keys (already read from YAML by the caller) to article fields; the
 * article is then validated by `checkArticle` like any other. The CLI and the SPA's batch screen
 * both read front matter with these keys and names.
 */
import { COMMENT_PERMISSIONS, CREATION_STATEMENTS, type ColumnView, type CommentPermission, type CreationStatement } from './zhihu-options';

/** A front matter value as text: a scalar, or a list of scalars. Nested maps are not article fields. */
export type FrontValue = string | string[];

/** Keys read for each field, lower-cased; the first present wins. */
export const FRONT_MATTER_KEYS = {
  title: ['title', 'zhihu-title', '标题'],
  topics: ['topics', 'tags', 'zhihu-topics', '话题'],
  column: ['column', 'zhihu-column', '专栏'],
  cover: ['cover', 'zhihu-cover', '封面'],
  statement: ['statement', 'disclaimer', 'zhihu-disclaimer', '创作声明'],
  commentPermission: ['commentpermission', 'comment_permission', 'comment', 'zhihu-comment', '评论权限', '评论'],
  scheduledAt: ['schedule', 'scheduledat', 'scheduled_at', '定时发布'],
  priority: ['priority', '优先级'],
  /** true: save to Zhihu's drafts instead of publishing (`mode: 'draft'`). */
  draft: ['draft', 'zhihu-draft', '草稿'],
  /** Written back after a publish (zhihu-link is also what the zhihu_obsidian plugin writes). */
  articleId: ['zhihu-id'],
  link: ['zhihu-link'],
} as const;

const FENCE = /^ {0,3}(`{3,}|~{3,})/;
/** An ATX `# ` heading: the title line of a document. */
export const TITLE_HEADING = /^ {0,3}#[ \t]+(.*?)(?:[ \t]+#+)?[ \t]*$/;
const HEADING = TITLE_HEADING;

export interface SplitDocument {
  /** The text between the `---` lines, or null when the file has no front matter. */
  frontMatter: string | null;
  body: string;
  /** The file's line ending, kept when the file is written back. */
  eol: '\n' | '\r\n';
}

/** Splits a file into its front matter and body; an opened block that never closes is an error. */
export function splitDocument(text: string): SplitDocument | { error: string } {
  const clean = text.replace(/^\uFEFF/, '');
  const eol = clean.includes('\r\n') ? '\r\n' : '\n';
  const all = clean.split(/\r?\n/);
  if ((all[0] ?? '').trimEnd() !== '---') return { frontMatter: null, body: all.join('\n'), eol };
  const close = all.findIndex((l, i) => i > 0 && (l.trimEnd() === '---' || l.trimEnd() === '...'));
  if (close < 0) return { error: 'the front matter opened with "---" on line 1 is never closed by a "---" line' };
  return { frontMatter: all.slice(1, close).join('\n'), body: all.slice(close + 1).join('\n'), eol };
}

/** Lines of a text, with a BOM dropped and CRLF/CR turned into LF. */
export function splitLines(text: string): string[] {
  return text.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n').split('\n');
}

/** Calls `visit` with each line and whether it is inside (or opens or closes) a fenced code block. */
export function walkFences(all: readonly string[], visit: (line: string, i: number, inFence: boolean) => void): void {
  let fence: string | null = null;
  all.forEach((line, i) => {
    const m = FENCE.exec(line);
    if (fence === null && m?.[1]) {
      fence = m[1];
      visit(line, i, true);
      return;
    }
    if (fence !== null) {
      const close = m?.[1];
      if (close && close[0] === fence[0] && close.length >= fence.length && line.trim() === close) fence = null;
      visit(line, i, true);
      return;
    }
    visit(line, i, false);
  });
}

/** The first `# ` heading outside code fences, and the body without it (blank lines around trimmed). */
export function takeTitle(body: string): { title: string | null; body: string } {
  const all = splitLines(body);
  let at = -1;
  let title: string | null = null;
  walkFences(all, (line, i, inFence) => {
    if (at >= 0 || inFence) return;
    const h = HEADING.exec(line);
    if (h) {
      at = i;
      title = (h[1] ?? '').trim();
    }
  });
  const rest = at >= 0 ? [...all.slice(0, at), ...all.slice(at + 1)] : all;
  return { title, body: trimBlankLines(rest).join('\n') };
}

/** Without the blank lines at the start and the end. */
export function trimBlankLines(all: string[]): string[] {
  let start = 0;
  let end = all.length;
  while (start < end && (all[start] ?? '').trim() === '') start++;
  while (end > start && (all[end - 1] ?? '').trim() === '') end--;
  return all.slice(start, end);
}

/** Case and spaces do not matter: 包含 AI 辅助创作 = 包含AI辅助创作. */
const norm = (s: string) => s.replace(/\s+/g, '').toLowerCase();

/** Zhihu's own wire values, or the names its editor shows (after dongguaguaguagua/zhihu_obsidian, 2026). */
const STATEMENT_NAMES: Record<CreationStatement, string[]> = {
  none: ['无', '无声明', '不声明'],
  spoiler: ['包含剧透', '内容包含剧透', '剧透'],
  medical_advice: ['包含医疗建议', '内容包含医疗建议', '医疗建议'],
  fictional_creation: ['虚构创作', '虚构'],
  contain_finance: ['包含理财内容', '理财内容', '理财'],
  ai_creation: ['包含AI辅助创作', 'AI辅助创作', 'AI创作'],
};

const COMMENT_NAMES: Record<CommentPermission, string[]> = {
  anyone: ['所有人可评论', '所有人', '允许评论', 'true', 'yes', 'on'],
  followee: ['仅关注的人可评论', '关注的人可评论', '仅我关注的人可评论', '我关注的人可评论', '关注的人'],
  censor: ['评论需审核', '需审核', '审核后展示'],
  nobody: ['关闭评论', '关闭', '不允许评论', 'false', 'no', 'off'],
};

function lookup<T extends string>(values: readonly T[], names: Record<T, string[]>, text: string): string {
  const key = norm(text);
  return values.find((v) => norm(v) === key || names[v].some((n) => norm(n) === key)) ?? text.trim();
}

/** The statement a name stands for; an unknown name is returned as written, for the check to refuse. */
export function statementOf(text: string): string {
  return lookup(CREATION_STATEMENTS, STATEMENT_NAMES, text);
}

export function commentPermissionOf(text: string): string {
  return lookup(COMMENT_PERMISSIONS, COMMENT_NAMES, text);
}

/**
 * A column as written: its id, its address (`https://zhuanlan.zhihu.com/<id>`), or, when the
 * account's columns are known, its title.
 */
export function columnOf(text: string, known?: readonly ColumnView[]): string {
  const value = text.trim();
  const byTitle = known?.find((c) => c.title.trim() === value);
  if (byTitle) return byTitle.id;
  return /^https?:\/\/zhuanlan\.zhihu\.com\/([A-Za-z0-9_-]+)\/?$/.exec(value)?.[1] ?? value;
}

/** The article id at the end of an article address (`.../p/<id>`), or null. */
export function articleIdOfLink(link: string): string | null {
  return /\/p\/(\d{15,20})\/?(?:[?#].*)?$/.exec(link.trim())?.[1] ?? null;
}

/**
 * `2026-12-01T09:00:00+08:00` as it is; `2026-12-01 09:00` (no offset) as this machine's local
 * time, which is what a person writing it means.
 */
export function scheduleOf(text: string): string {
  const value = text.trim();
  const local = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}(?::\d{2})?)$/.exec(value);
  if (!local) return value;
  const at = new Date(`${local[1]}T${local[2]}`);
  return Number.isNaN(at.getTime()) ? value : at.toISOString();
}

export interface FrontMatterArticle {
  /** Fields for `articleInput` (unchecked: `checkArticle` judges them). */
  fields: Record<string, unknown>;
  /** Problems no schema can name: a list where one value belongs, a value no key takes. */
  problems: FrontMatterProblem[];
}

/** What is wrong with a front matter key, as facts each reader says in their language. */
export type FrontMatterProblem =
  | { key: string; kind: 'list' }
  | { key: 'draft'; kind: 'notBoolean'; value: string }
  | { key: 'zhihu-link'; kind: 'notArticleLink'; value: string };

/** A front matter problem in English. */
export function frontMatterProblemText(p: FrontMatterProblem): string {
  switch (p.kind) {
    case 'list':
      return `${p.key}: expected one value, got a list`;
    case 'notBoolean':
      return `${p.key}: expected true or false, got "${p.value}"`;
    case 'notArticleLink':
      return `${p.key}: "${p.value}" is not an article address (…/p/<15-20 digits>)`;
  }
}

function one(fields: ReadonlyMap<string, FrontValue>, keys: readonly string[], problems: FrontMatterProblem[]): string | undefined {
  for (const key of keys) {
    const v = fields.get(key);
    if (v === undefined) continue;
    if (Array.isArray(v)) {
      problems.push({ key, kind: 'list' });
      return undefined;
    }
    if (v.trim() !== '') return v;
  }
  return undefined;
}

/**
 * Maps front matter (keys lower-cased) to article fields; unknown keys are left alone. With the
 * account's columns, a column may also be named by its title.
 */
export function articleFromFrontMatter(fields: ReadonlyMap<string, FrontValue>, columns?: readonly ColumnView[]): FrontMatterArticle {
  const problems: FrontMatterProblem[] = [];
  const out: Record<string, unknown> = {};
  const K = FRONT_MATTER_KEYS;
  const title = one(fields, K.title, problems);
  if (title !== undefined) out.title = title;
  for (const key of K.topics) {
    const v = fields.get(key);
    if (v === undefined) continue;
    const list = (Array.isArray(v) ? v : v.split(/[,，]/)).map((s) => s.trim()).filter((s) => s !== '');
    out.topics = [...new Set(list)];
    break;
  }
  const column = one(fields, K.column, problems);
  if (column !== undefined) out.column = columnOf(column, columns);
  const cover = one(fields, K.cover, problems);
  if (cover !== undefined) out.cover = cover.trim();
  const statement = one(fields, K.statement, problems);
  if (statement !== undefined) out.statement = statementOf(statement);
  const comment = one(fields, K.commentPermission, problems);
  if (comment !== undefined) out.commentPermission = commentPermissionOf(comment);
  const schedule = one(fields, K.scheduledAt, problems);
  if (schedule !== undefined) out.scheduledAt = scheduleOf(schedule);
  const priority = one(fields, K.priority, problems);
  if (priority !== undefined) out.priority = priority.trim().toLowerCase();
  const draft = one(fields, K.draft, problems);
  if (draft !== undefined) {
    if (/^(true|yes|y|1|是)$/i.test(draft.trim())) out.mode = 'draft';
    else if (/^(false|no|n|0|否)$/i.test(draft.trim())) out.mode = 'publish';
    else problems.push({ key: 'draft', kind: 'notBoolean', value: draft.trim() });
  }
  const id = one(fields, K.articleId, problems);
  const link = one(fields, K.link, problems);
  if (id !== undefined) out.articleId = id.trim();
  else if (link !== undefined) {
    const fromLink = articleIdOfLink(link);
    if (fromLink) out.articleId = fromLink;
    else problems.push({ key: 'zhihu-link', kind: 'notArticleLink', value: link.trim() });
  }
  return { fields: out, problems };
}
