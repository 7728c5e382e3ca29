import { HTML_POLICY } from '../html-policy.js';
import { COMMENT_PERMISSIONS, STATEMENTS } from '../settings.js';
import type { Column, StoredTopic } from '../store.js';
import { escapeHtml, page, scriptJson } from './layout.js';
import { WRITE_SCRIPT } from './write-script.js';

// The editor at /write and /p/<id>/edit. Markup follows what a publisher's selectors expect on
// Zhihu (class names such as i7cW1UcwT6ThdhTakqFm are build hashes there and are never hooks);
// the behaviour lives in write-script.ts. The `today` layout shows the publish settings under the
// body; `legacy` keeps them in the dialog 发布 opens.

export type Layout = 'today' | 'legacy';

export interface WritePageOptions {
  user: string;
  layout: Layout;
  /** The columns the account may publish to, for the 发布到专栏 control. */
  columns: Column[];
  draft: {
    id: string;
    title: string;
    content: string;
    topics: StoredTopic[];
    /** An article already public: the page publishes it again under its id (`isPublished: true`). */
    published: boolean;
    column: string;
    statement: string;
    commentPermission: string;
  } | null;
  /** `editor-changed` fault: Zhihu shipped another editor, the Draft.js root is gone. */
  editor: 'draft-js' | 'prosemirror';
  /** `renderer-crash` fault. */
  crash: boolean;
}

// The renderer-crash fault. A global match whose result would be longer than V8's largest
// FixedArray hits V8's deliberate "Fatal JavaScript invalid size error" (crbug.com/1201626)
// instead of a catchable RangeError. Measured with headless Chromium 156 (--no-sandbox): the tab
// crashes 0.2-0.5 s after navigation starts, the renderer peaking at ~250 MB RSS; no extra launch
// flag is needed. Filling the heap until OOM also works but took ~15 s and ~4 GB here.
// If a future V8 turns this into an exception, the page says so instead of silently living on.
const CRASH_SCRIPT = `
(function () {
  var subject = 'a'.repeat(134217728 + 1048576);
  var matches = subject.match(/a/g);
  document.title = 'renderer-crash fault did not crash (' + matches.length + ')';
})();
`;

const CSS = `
.WriteIndex-header{background:#fff;height:52px;display:flex;align-items:center;gap:16px;padding:0 24px;box-shadow:0 1px 3px rgba(18,18,18,.1);position:sticky;top:0;z-index:10}
.WriteIndex-headerTitle{font-size:16px;color:#444}
.PublishPanel-status{color:#8590a6;font-size:14px;flex:1}
.WriteIndex-user{color:#8590a6;font-size:14px}
.WriteIndex-page{max-width:690px;margin:24px auto;background:#fff;padding:32px 40px;min-height:70vh;position:relative}
.WriteIndex-titleInput textarea{border:0;font-size:32px;font-weight:600;width:100%;resize:none;outline:none;padding:0;overflow:hidden;font-family:inherit}
.DraftEditor-root{position:relative;margin-top:16px;font-size:16px;min-height:300px}
.public-DraftEditorPlaceholder-root{position:absolute;color:#8590a6;pointer-events:none}
.WriteIndex-panelSlot{position:fixed;top:60px;right:24px;z-index:20}
.WriteIndex-settingsSlot .PublishSettings{max-width:690px;margin:0 auto 24px;background:#fff;padding:24px 40px;display:flex;flex-direction:column;gap:16px}
.PublishPanel-select{font:inherit;padding:4px 8px;border:1px solid #ebebeb;border-radius:3px;background:#fff}
.PublishPanel{background:#fff;width:360px;padding:20px;border-radius:4px;box-shadow:0 5px 20px rgba(18,18,18,.2);display:flex;flex-direction:column;gap:12px}
.PublishPanel-title{font-size:18px;font-weight:600}
.PublishPanel-label{font-weight:600;margin-bottom:6px}
.PublishPanel-topics{display:flex;flex-wrap:wrap;gap:6px;margin-bottom:6px}
.PublishPanel-topicTag{background:#ebf5ff;color:#1772f6;border-radius:100px;padding:0 4px 0 12px;font-size:14px}
.PublishPanel-topicTag button{border:0;background:none;color:#1772f6;cursor:pointer}
.PublishPanel-search{margin-top:6px}
.PublishPanel-suggestions{border:1px solid #ebebeb;border-top:0;display:flex;flex-direction:column}
.PublishPanel-option{border:0;background:#fff;text-align:left;padding:6px 12px;cursor:pointer;font:inherit}
.PublishPanel-option:hover{background:#f6f6f6}
.PublishPanel-hint{color:#8590a6;font-size:13px}
.PublishPanel-footer{display:flex;justify-content:flex-end;gap:8px}
.Notifications{position:fixed;top:70px;left:50%;transform:translateX(-50%);z-index:30;display:flex;flex-direction:column;gap:8px}
.Notification{background:#fff;padding:10px 20px;border-radius:4px;box-shadow:0 5px 20px rgba(18,18,18,.2)}
.Notification--error{color:#f1403c}
`;

const EDITABLE_CSS = '{min-height:300px;outline:none;white-space:pre-wrap;overflow-wrap:break-word}';

function bodyEditor(kind: WritePageOptions['editor']): string {
  // Styles inline with the markup, so a changed editor leaves no trace of the old class names.
  if (kind === 'prosemirror') {
    return `<style>.ProseMirror${EDITABLE_CSS}</style><div class="Editable-content"><div class="ProseMirror" contenteditable="true" role="textbox" aria-label="请输入正文" translate="no"></div></div>`;
  }
  return `<style>.public-DraftEditor-content${EDITABLE_CSS}</style><div class="DraftEditor-root">
<div class="public-DraftEditorPlaceholder-root"><div class="public-DraftEditorPlaceholder-inner">请输入正文</div></div>
<div class="DraftEditor-editorContainer"><div class="notranslate public-DraftEditor-content" contenteditable="true" role="textbox" spellcheck="false" aria-label="请输入正文" aria-multiline="true"></div></div>
</div>`;
}

export function writePage(options: WritePageOptions): string {
  const config = {
    policy: HTML_POLICY,
    layout: options.layout,
    draft: options.draft,
    columns: options.columns,
    statements: Object.entries(STATEMENTS),
    comments: Object.entries(COMMENT_PERMISSIONS),
    editorSelector: options.editor === 'prosemirror' ? '.ProseMirror' : '.public-DraftEditor-content',
  };
  return page({
    title: '写文章 - 知乎',
    css: CSS,
    body: `<header class="WriteIndex-header">
<a class="ZhihuLogo" href="/">知乎</a><span class="WriteIndex-headerTitle">写文章</span>
<span class="PublishPanel-status" aria-live="polite"></span>
<button type="button" class="Button PublishPanel-triggerButton Button--primary">发布</button>
<span class="WriteIndex-user">${escapeHtml(options.user)}</span>
</header>
<div class="WriteIndex-panelSlot"></div>
<main class="WriteIndex-page">
<div class="WriteIndex-titleInput"><label class="Input-wrapper"><textarea rows="1" placeholder="请输入标题（最多 100 个字）" class="Input i7cW1UcwT6ThdhTakqFm">${escapeHtml(options.draft?.title ?? '')}</textarea></label></div>
<div class="PostEditor-wrapper">${bodyEditor(options.editor)}</div>
</main>
<div class="WriteIndex-settingsSlot"></div>
<div class="Notifications"></div>
<script id="js-editorConfig" type="application/json">${scriptJson(JSON.stringify(config))}</script>
<script>${WRITE_SCRIPT}</script>${options.crash ? `\n<script>${CRASH_SCRIPT}</script>` : ''}`,
  });
}
