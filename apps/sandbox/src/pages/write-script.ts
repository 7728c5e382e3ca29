import { POLICY_SCRIPT } from './write-policy-script.js';
import { PUBLISH_SCRIPT } from './write-publish-script.js';
import { SETTINGS_SCRIPT } from './write-settings-script.js';

// The editor page's script, written to behave like Zhihu's React + Draft.js editor towards a
// puppeteer script: the page state is the truth, the DOM is only its picture.
//  - The title textarea is controlled: state.title changes only on `input` events, and every
//    render writes it back, so `.value = x` without an event is undone like in React.
//  - The body keeps its own HTML: a `paste` event (select-all replaces, otherwise appends) or an
//    `input` event updates it, cleaned by the same HTML policy as the server; DOM edits made
//    without an event never reach the saved draft.
//  - Autosave: the first change POSTs a draft and moves the URL to /p/<id>/edit; later changes
//    PATCH it, debounced. Every write carries x-xsrftoken from the _xsrf cookie.
//  - Settings and publishing differ by layout (write-settings-script.ts, write-publish-script.ts):
//    `today` shows the settings on the page and 发布 publishes at once; `legacy` opens a dialog.
// The parts share one closure; plain ES2020 in String.raw: no template literals or `${` inside.

const CORE_SCRIPT = String.raw`
  var config = JSON.parse(document.getElementById('js-editorConfig').textContent);
  var POLICY = config.policy;
  var ALLOWED = POLICY.allowed;
  var VOIDS = new Set(POLICY.voids);
  var BLOCKS = new Set(POLICY.blocks);
  var DROP = new Set(POLICY.dropWithContent);
  var CONTAINERS = new Set(POLICY.blockContainers);
  var LANG = new RegExp(POLICY.langPattern);
  var TODAY = config.layout === 'today';
  var SAVE_DEBOUNCE_MS = 300;
  var SEARCH_DEBOUNCE_MS = 150;
  var TOAST_MS = 5000;
  var MAX_TOPICS = 3;
  var STATUS = { idle: '', saving: '保存中…', saved: '草稿已保存', error: '草稿保存失败' };

  var state = {
    title: config.draft ? config.draft.title : '',
    content: config.draft ? config.draft.content : '',
    topics: config.draft ? config.draft.topics : [],
    panelOpen: false,
    searchOpen: false,
    query: '',
    suggestions: [],
    column: config.draft ? config.draft.column : '',
    statement: config.draft ? config.draft.statement : 'none',
    comment: config.draft ? config.draft.commentPermission : 'anyone',
    saveStatus: config.draft ? 'saved' : 'idle',
    publishing: false,
  };
  var draftId = config.draft ? config.draft.id : null;
  var startedAt = Date.now();

  var titleEl = document.querySelector('.WriteIndex-titleInput textarea');
  var editorEl = document.querySelector(config.editorSelector);
  var placeholderEl = document.querySelector('.public-DraftEditorPlaceholder-root');
  var statusEl = document.querySelector('.PublishPanel-status');
  var triggerEl = document.querySelector('.PublishPanel-triggerButton');
  var toastsEl = document.querySelector('.Notifications');

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      if (k === 'text') node.textContent = attrs[k];
      else if (attrs[k] === true) node.setAttribute(k, '');
      else if (attrs[k] !== false && attrs[k] != null) node.setAttribute(k, attrs[k]);
    });
    (children || []).forEach(function (c) { node.appendChild(c); });
    return node;
  }

  function render(options) {
    // Controlled field: the DOM always shows the state, whatever was written into it directly.
    if (titleEl.value !== state.title) titleEl.value = state.title;
    if (options && options.body) editorEl.innerHTML = state.content;
    if (placeholderEl) placeholderEl.style.display = state.content ? 'none' : '';
    statusEl.textContent = STATUS[state.saveStatus];
    triggerEl.disabled = state.publishing;
    renderSettings();
  }

  function toast(message) {
    var node = el('div', { class: 'Notification Notification--error', role: 'alert' }, [
      el('span', { class: 'Notification-text', text: message }),
    ]);
    toastsEl.appendChild(node);
    setTimeout(function () { node.remove(); }, TOAST_MS);
  }

  // ---------- server calls ----------
  function xsrf() {
    var m = /(?:^|;\s*)_xsrf=([^;]*)/.exec(document.cookie);
    return m ? decodeURIComponent(m[1]) : '';
  }

  function api(method, url, body) {
    var headers = { 'x-requested-with': 'fetch' };
    if (method !== 'GET') headers['x-xsrftoken'] = xsrf();
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    return fetch(url, {
      method: method,
      credentials: 'include',
      headers: headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    }).then(function (res) {
      return res.text().then(function (text) {
        var data = null;
        try { data = text ? JSON.parse(text) : null; } catch (e) { data = null; }
        return { ok: res.ok, status: res.status, body: data };
      });
    });
  }

  // ---------- autosave ----------
  var dirty = false;
  var saveTimer = null;
  var saving = 0;
  var saveChain = Promise.resolve();

  function changed() {
    dirty = true;
    state.saveStatus = 'saving';
    clearTimeout(saveTimer);
    // The first change creates the draft at once; later ones are debounced.
    if (!draftId && saving === 0) flush();
    else saveTimer = setTimeout(flush, SAVE_DEBOUNCE_MS);
  }

  function flush() {
    clearTimeout(saveTimer);
    saveChain = saveChain.then(saveNow, saveNow);
    return saveChain;
  }

  /** Runs after every save queued so far, so a draft exists and is current when it starts. */
  function afterSaves(step) {
    saveChain = saveChain.then(step, step);
    return saveChain;
  }

  function saveNow() {
    if (draftId && !dirty) return;
    dirty = false;
    saving += 1;
    state.saveStatus = 'saving';
    render();
    var snapshot = { title: state.title, content: state.content };
    var request = draftId
      ? api('PATCH', '/api/articles/' + draftId + '/draft', snapshot)
      : api('POST', '/api/articles/drafts', {
          title: snapshot.title,
          content: snapshot.content,
          delta_time: Math.round((Date.now() - startedAt) / 1000),
        });
    return request
      .then(function (res) {
        if (!res.ok || !res.body || typeof res.body.id !== 'string') throw new Error('save failed: ' + res.status);
        if (!draftId) {
          draftId = res.body.id;
          history.replaceState(null, '', '/p/' + draftId + '/edit');
        }
        // Still dirty means another save is queued: only then is the draft really saved.
        state.saveStatus = dirty ? 'saving' : 'saved';
      })
      .catch(function () {
        dirty = true;
        state.saveStatus = 'error';
      })
      .then(function () {
        saving -= 1;
        render();
      });
  }
`;

const EVENTS_SCRIPT = String.raw`
  // ---------- selection ----------
  // Whether a paste should replace the whole body: the selection covers all of its text.
  function wholeBodySelected() {
    var sel = window.getSelection();
    if (!sel || sel.rangeCount === 0) return false;
    var range = sel.getRangeAt(0);
    if (range.collapsed) return false;
    var all = document.createRange();
    all.selectNodeContents(editorEl);
    var start = all.comparePoint(range.startContainer, range.startOffset);
    var end = all.comparePoint(range.endContainer, range.endOffset);
    if (start === 1 || end === -1) return false;
    var head = '';
    var tail = '';
    if (start === 0) {
      var before = document.createRange();
      before.setStart(editorEl, 0);
      before.setEnd(range.startContainer, range.startOffset);
      head = before.toString();
    }
    if (end === 0) {
      var after = document.createRange();
      after.setStart(range.endContainer, range.endOffset);
      after.setEnd(editorEl, editorEl.childNodes.length);
      tail = after.toString();
    }
    return head.trim() === '' && tail.trim() === '';
  }

  function caretToEnd() {
    if (document.activeElement !== editorEl) return;
    var range = document.createRange();
    range.selectNodeContents(editorEl);
    range.collapse(false);
    var sel = window.getSelection();
    sel.removeAllRanges();
    sel.addRange(range);
  }

  // ---------- events ----------
  titleEl.addEventListener('input', function (event) {
    state.title = event.target.value;
    changed();
    render();
  });
  titleEl.addEventListener('keydown', function (event) {
    // Titles are one line: Enter moves on to the body, as on Zhihu.
    if (event.key === 'Enter') {
      event.preventDefault();
      editorEl.focus();
    }
  });

  editorEl.addEventListener('paste', function (event) {
    event.preventDefault();
    var data = event.clipboardData;
    var html = data ? data.getData('text/html') : '';
    if (!html) html = textToHtml(data ? data.getData('text/plain') : '');
    var pasted = sanitize(html);
    var replace = wholeBodySelected() || state.content === '';
    state.content = replace ? pasted : sanitize(state.content + pasted);
    changed();
    render({ body: true });
    caretToEnd();
  });
  editorEl.addEventListener('input', function () {
    state.content = sanitize(editorEl.innerHTML);
    changed();
    render();
  });
  editorEl.addEventListener('drop', function (event) {
    event.preventDefault();
  });

  triggerEl.addEventListener('click', function () {
    if (TODAY) {
      publish();
      return;
    }
    state.panelOpen = true;
    render();
    if (dirty || !draftId) flush();
  });

  render({ body: true });
`;

export const WRITE_SCRIPT = `
(function () {
  'use strict';
${CORE_SCRIPT}
${POLICY_SCRIPT}
${SETTINGS_SCRIPT}
${PUBLISH_SCRIPT}
${EVENTS_SCRIPT}
})();
`;
