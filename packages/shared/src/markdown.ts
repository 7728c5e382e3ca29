/**
 * Markdown -> the HTML Zhihu's editor accepts on paste. markdown-it parses; the renderer is
 * adjusted where Zhihu's editor wants its own forms: code blocks as `<pre lang>`, formulas as
 * equation images (`<img eeimg="1">`), images as `<figure>`. Raw HTML in the Markdown is not
 * passed through (it is shown as text), so a body can never inject markup into the editor.
 */
import MarkdownIt from 'markdown-it';
import type StateBlock from 'markdown-it/lib/rules_block/state_block.mjs';
import type StateInline from 'markdown-it/lib/rules_inline/state_inline.mjs';

export const EQUATION_ENDPOINT = 'https://www.zhihu.com/equation';

const md = new MarkdownIt({ html: false, linkify: true, breaks: false, typographer: false });
const escape = md.utils.escapeHtml;

/** `$x$` inline; not `$ x$`, not `$5 and $6` (a closing `$` followed by a digit is money, not math). */
function inlineMath(state: StateInline, silent: boolean): boolean {
  const src = state.src;
  const start = state.pos;
  if (src.charCodeAt(start) !== 0x24 /* $ */ || src.charCodeAt(start + 1) === 0x24) return false;
  const next = src.charCodeAt(start + 1);
  if (Number.isNaN(next) || next === 0x20 || next === 0x09) return false;
  let end = start + 1;
  while ((end = src.indexOf('$', end)) !== -1) {
    if (src.charCodeAt(end - 1) === 0x5c /* \ */) {
      end++;
      continue;
    }
    break;
  }
  if (end === -1 || end === start + 1) return false;
  if (src.charCodeAt(end - 1) === 0x20 || /\d/.test(src.charAt(end + 1))) return false;
  if (!silent) {
    const token = state.push('math_inline', 'img', 0);
    token.content = src.slice(start + 1, end);
  }
  state.pos = end + 1;
  return true;
}

/** `$$ ... $$` on lines of their own (or on one line). */
function lineText(state: StateBlock, line: number): string {
  return state.src.slice((state.bMarks[line] ?? 0) + (state.tShift[line] ?? 0), state.eMarks[line] ?? 0);
}

function blockMath(state: StateBlock, startLine: number, endLine: number, silent: boolean): boolean {
  const first = lineText(state, startLine);
  if (!first.startsWith('$$')) return false;
  const rest = first.slice(2);
  let content: string;
  let line = startLine;
  if (rest.trim().endsWith('$$') && rest.trim().length > 2) {
    content = rest.trim().slice(0, -2);
  } else {
    const lines = [rest];
    let closed = false;
    while (++line < endLine) {
      const text = lineText(state, line);
      if (text.trim().endsWith('$$')) {
        lines.push(text.trim().slice(0, -2));
        closed = true;
        break;
      }
      lines.push(text);
    }
    if (!closed) return false;
    content = lines.join('\n');
  }
  if (silent) return true;
  const token = state.push('math_block', 'img', 0);
  token.content = content.trim();
  token.map = [startLine, line + 1];
  token.block = true;
  state.line = line + 1;
  return true;
}

md.inline.ruler.after('escape', 'math_inline', inlineMath);
md.block.ruler.before('fence', 'math_block', blockMath, { alt: ['paragraph', 'reference', 'blockquote', 'list'] });

function equation(tex: string, display: boolean): string {
  // Zhihu renders a formula whose TeX ends in `\\` on a line of its own.
  const source = display ? `${tex}\\\\` : tex;
  return `<img eeimg="1" src="${EQUATION_ENDPOINT}?tex=${encodeURIComponent(source)}" alt="${escape(source)}">`;
}

md.renderer.rules.math_inline = (tokens, idx) => equation(tokens[idx]?.content ?? '', false);
md.renderer.rules.math_block = (tokens, idx) => `<p>${equation(tokens[idx]?.content ?? '', true)}</p>\n`;

md.renderer.rules.fence = (tokens, idx) => {
  const token = tokens[idx];
  const lang = (token?.info ?? '').trim().split(/\s+/)[0] ?? '';
  const attr = lang ? ` lang="${escape(lang)}"` : '';
  return `<pre${attr}>${escape(token?.content ?? '')}</pre>\n`;
};
md.renderer.rules.code_block = (tokens, idx) => `<pre>${escape(tokens[idx]?.content ?? '')}</pre>\n`;

md.renderer.rules.image = (tokens, idx) => {
  const token = tokens[idx];
  const src = token?.attrGet('src') ?? '';
  const alt = token?.children ? md.renderer.renderInlineAsText(token.children, md.options, {}) : '';
  const caption = alt ? `<figcaption>${escape(alt)}</figcaption>` : '';
  return `<figure><img src="${escape(src)}" alt="${escape(alt)}" data-caption="${escape(alt)}">${caption}</figure>`;
};

// A paragraph that holds only an image becomes the figure itself (a figure cannot sit inside <p>).
md.core.ruler.push('figure_paragraphs', (state) => {
  const tokens = state.tokens;
  for (let i = 1; i < tokens.length - 1; i++) {
    const inline = tokens[i];
    const open = tokens[i - 1];
    const close = tokens[i + 1];
    if (inline?.type !== 'inline' || open?.type !== 'paragraph_open' || close?.type !== 'paragraph_close') continue;
    const meaningful = (inline.children ?? []).filter((c) => !(c.type === 'text' && c.content.trim() === '') && c.type !== 'softbreak');
    if (meaningful.length === 1 && meaningful[0]?.type === 'image') {
      open.hidden = true;
      close.hidden = true;
    }
  }
});

// Only web links survive: no javascript:, data: or file: URLs reach the editor.
md.validateLink = (url) => /^(https?:|mailto:|#|\/)/i.test(url.trim());

export function markdownToZhihuHtml(markdown: string): string {
  return md.render(markdown);
}
