/**
 * The preview of what will be pasted into Zhihu's editor: the shared Markdown renderer (loaded
 * on demand, so it stays out of the first bundle), then DOMPurify with a strict allowlist. The
 * title is escaped as text. Nothing else in the app uses innerHTML.
 */
import type { Config, DOMPurify } from 'dompurify';

const ALLOWED_TAGS = [
  'p', 'br', 'hr', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'strong', 'b', 'em', 'i', 's', 'del', 'code', 'pre',
  'blockquote', 'ul', 'ol', 'li', 'a', 'img', 'figure', 'figcaption', 'table', 'thead', 'tbody', 'tr', 'th', 'td',
  'sup', 'sub',
];
const ALLOWED_ATTR = ['href', 'src', 'alt', 'title', 'lang', 'eeimg', 'data-caption', 'start', 'align', 'colspan', 'rowspan'];

export const SANITIZE_CONFIG: Config = {
  ALLOWED_TAGS,
  ALLOWED_ATTR,
  ALLOW_DATA_ATTR: false,
  ALLOW_ARIA_ATTR: false,
  // Web links only: no javascript:, data:, file: or other schemes.
  ALLOWED_URI_REGEXP: /^(?:https?:|mailto:|#|\/(?!\/))/i,
  // DOMPurify tests every other attribute against that pattern too, unless it is marked safe.
  ADD_URI_SAFE_ATTR: ['lang', 'eeimg', 'data-caption', 'start', 'align', 'colspan', 'rowspan'],
  RETURN_TRUSTED_TYPE: false,
};

const hooked = new WeakSet<DOMPurify>();

/** Sanitizes with the allowlist; links open in a new tab without handing over the opener. */
export function sanitizeHtml(purify: DOMPurify, html: string): string {
  if (!hooked.has(purify)) {
    purify.addHook('afterSanitizeAttributes', (node) => {
      // DOMPurify lets data: URLs through on images by default; the preview shows web images only.
      if (/^\s*data:/i.test(node.getAttribute('src') ?? '')) node.removeAttribute('src');
      if (node.nodeName === 'A') {
        node.setAttribute('target', '_blank');
        node.setAttribute('rel', 'noopener noreferrer nofollow');
      }
    });
    hooked.add(purify);
  }
  return purify.sanitize(html, { ...SANITIZE_CONFIG, ADD_ATTR: ['target', 'rel'] });
}

export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

let loaded: Promise<{ render: (md: string) => string; purify: DOMPurify }> | null = null;

function load() {
  loaded ??= Promise.all([import('@zpub/shared/markdown'), import('dompurify')]).then(([md, dp]) => ({
    render: md.markdownToZhihuHtml,
    purify: dp.default,
  }));
  return loaded;
}

/** Safe HTML for the preview: the title as a heading (text only), then the body. */
export async function renderPreview(title: string, markdown: string): Promise<string> {
  const { render, purify } = await load();
  const heading = title.trim() === '' ? '' : `<h1>${escapeHtml(title)}</h1>`;
  return sanitizeHtml(purify, heading + render(markdown));
}
