/**
 * Markdown documents -> articles for `task.createBatch`. A document's first ATX `# ` heading
 * (outside code fences) is its title and the rest its body; one without such a heading has no
 * title and is refused. Pasted text holding several documents is split at those headings.
 * A leading YAML front matter block is dropped from the body; its `topics:`/`tags:` are used.
 */
import { checkArticle, type ArticleInput, type Priority, type RejectionCode } from '@zpub/shared';

export interface Draft {
  /** Where it came from: a file name or "paste #n". */
  source: string;
  title: string | null;
  content: string;
  topics: string[];
}

export type DraftCheck = { ok: true; article: ArticleInput } | { ok: false; code: RejectionCode; message: string };

const HEADING = /^ {0,3}#[ \t]+(.*?)(?:[ \t]+#+)?[ \t]*$/;
const FENCE = /^ {0,3}(`{3,}|~{3,})/;

function lines(text: string): string[] {
  return text.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n').split('\n');
}

/** Calls `visit` with each line and whether it is inside a fenced code block. */
function walk(all: readonly string[], visit: (line: string, i: number, inFence: boolean) => void): void {
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

function trimBlankLines(all: string[]): string[] {
  let start = 0;
  let end = all.length;
  while (start < end && (all[start] ?? '').trim() === '') start++;
  while (end > start && (all[end - 1] ?? '').trim() === '') end--;
  return all.slice(start, end);
}

function frontMatter(all: string[]): { rest: string[]; topics: string[] } {
  if ((all[0] ?? '').trim() !== '---') return { rest: all, topics: [] };
  const close = all.findIndex((l, i) => i > 0 && (l.trim() === '---' || l.trim() === '...'));
  if (close < 0) return { rest: all, topics: [] };
  const block = all.slice(1, close);
  const topics: string[] = [];
  block.forEach((line, i) => {
    const m = /^(topics|tags)\s*:\s*(.*)$/i.exec(line.trim());
    if (!m) return;
    const value = (m[2] ?? '').trim();
    if (value.startsWith('[')) {
      topics.push(...value.replace(/^\[|\]$/g, '').split(','));
    } else if (value !== '') {
      topics.push(...value.split(/[,，]/));
    } else {
      for (const item of block.slice(i + 1)) {
        const li = /^\s*-\s+(.*)$/.exec(item);
        if (!li) break;
        topics.push(li[1] ?? '');
      }
    }
  });
  const clean = topics.map((s) => s.trim().replace(/^["']|["']$/g, '').trim()).filter((s) => s !== '');
  return { rest: all.slice(close + 1), topics: [...new Set(clean)] };
}

/** One document: its first `# ` heading is the title, everything else the body. */
export function parseDocument(text: string, source: string): Draft {
  const { rest, topics } = frontMatter(lines(text));
  let headingAt = -1;
  let title: string | null = null;
  walk(rest, (line, i, inFence) => {
    if (headingAt >= 0 || inFence) return;
    const m = HEADING.exec(line);
    if (m) {
      headingAt = i;
      title = (m[1] ?? '').trim();
    }
  });
  const body = headingAt >= 0 ? [...rest.slice(0, headingAt), ...rest.slice(headingAt + 1)] : rest;
  return { source, title, content: trimBlankLines(body).join('\n'), topics };
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

/** Validates a draft as the server will (the same `checkArticle`), with the batch-wide options. */
export function checkDraft(d: Draft, opts: { priority: Priority; scheduledAt?: string | undefined }): DraftCheck {
  if (d.title === null || d.title.trim() === '') {
    return { ok: false, code: 'TITLE_REQUIRED', message: 'title: Title is empty' };
  }
  const article: Record<string, unknown> = { title: d.title, content: d.content, topics: d.topics, priority: opts.priority };
  if (opts.scheduledAt) article.scheduledAt = opts.scheduledAt;
  return checkArticle(article);
}

export function utf8Bytes(s: string): number {
  return new TextEncoder().encode(s).length;
}
