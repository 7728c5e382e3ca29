// The editor page's script, written to behave like Zhihu's React + Draft.js editor towards a
// puppeteer script: the page state is the truth, the DOM is only its picture.
//  - The title textarea is controlled: state.title changes only on `input` events, and every
//    render writes it back, so `.value = x` without an event is undone like in React.
//  - The body keeps its own HTML: a `paste` event (select-all replaces, otherwise appends) or an
//    `input` event updates it, cleaned by the same HTML policy as the server; DOM edits made
//    without an event never reach the saved draft.
//  - Autosave: the first change POSTs a draft and moves the URL to /p/<id>/edit; later changes
//    PATCH it, debounced. 发布 opens the panel; 确认发布 flushes the save and PUTs the publish.
// Plain ES2020 in a String.raw: no template literals or `${` inside.

export const WRITE_SCRIPT = String.raw`
(function () {
  'use strict';
  var config = JSON.parse(document.getElementById('js-editorConfig').textContent);
  var POLICY = config.policy;
  var ALLOWED = POLICY.allowed;
  var VOIDS = new Set(POLICY.voids);
  var BLOCKS = new Set(POLICY.blocks);
  var DROP = new Set(POLICY.dropWithContent);
  var CONTAINERS = new Set(POLICY.blockContainers);
  var LANG = new RegExp(POLICY.langPattern);
  var SAVE_DEBOUNCE_MS = 300;
  var SEARCH_DEBOUNCE_MS = 150;
  var TOAST_MS = 5000;
  var MAX_TOPICS = 3;
  var STATUS = { idle: '', saving: '保存中…', saved: '草稿已保存', error: '草稿保存失败' };

  var state = {
    title: config.draft ? config.draft.title : '',
    content: config.draft ? config.draft.content : '',
    topics: [],
    panelOpen: false,
    searchOpen: false,
    query: '',
    suggestions: [],
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

  // ---------- HTML policy (mirrors src/sanitize.ts) ----------
  var BREAK = {};

  function safeUrl(value, allowProtocolRelative) {
    var v = value.trim();
    if (!v || v.length > POLICY.maxAttrLength) return false;
    if (allowProtocolRelative && v.indexOf('//') === 0) return safeUrl('https:' + v, false);
    try {
      var url = new URL(v);
      return url.protocol === 'http:' || url.protocol === 'https:';
    } catch (e) {
      return false;
    }
  }

  function copyAttributes(src, dst, tag) {
    var names = ALLOWED[tag];
    for (var i = 0; i < names.length; i++) {
      var name = names[i];
      var value = src.getAttribute(name);
      if (value === null) continue;
      if (name === 'href' || name === 'src') {
        if (!safeUrl(value, name === 'src')) return false;
        value = value.trim();
      } else if (name === 'lang') {
        if (!LANG.test(value)) continue;
      } else {
        value = value.slice(0, POLICY.maxAttrLength);
      }
      dst.setAttribute(name, value);
    }
    if (tag === 'a' && !src.hasAttribute('href')) return false;
    if (tag === 'img' && !src.hasAttribute('src')) return false;
    return true;
  }

  function codeText(node) {
    if (node.nodeType === 3) return node.nodeValue;
    if (node.nodeType !== 1 && node.nodeType !== 11) return '';
    if (node.nodeType === 1) {
      if (DROP.has(node.localName)) return '';
      if (node.localName === 'br') return '\n';
    }
    var text = '';
    for (var c = node.firstChild; c; c = c.nextSibling) text += codeText(c);
    return text;
  }

  function cleanChildren(node) {
    var out = [];
    for (var c = node.firstChild; c; c = c.nextSibling) out = out.concat(cleanNode(c));
    return out;
  }

  function appendAll(el, items) {
    items.forEach(function (item) {
      if (item !== BREAK) el.appendChild(item);
    });
  }

  function cleanNode(node) {
    if (node.nodeType === 3) return [document.createTextNode(node.nodeValue)];
    if (node.nodeType !== 1) return [];
    var raw = node.localName;
    if (DROP.has(raw)) return [];
    var tag = POLICY.renamed[raw] || raw;
    if (!Object.prototype.hasOwnProperty.call(ALLOWED, tag)) {
      var kids = cleanChildren(node);
      return CONTAINERS.has(raw) ? [BREAK].concat(kids, [BREAK]) : kids;
    }
    var el = document.createElement(tag);
    if (!copyAttributes(node, el, tag)) return tag === 'img' ? [] : cleanChildren(node);
    if (tag === 'pre') {
      if (!el.hasAttribute('lang')) {
        var code = node.querySelector('code[class*="language-"]');
        var m = code && /(?:^|\s)language-([A-Za-z0-9_+#.-]{1,30})(?:\s|$)/.exec(code.className);
        if (m) el.setAttribute('lang', m[1]);
      }
      el.textContent = codeText(node);
      return [el];
    }
    if (!VOIDS.has(tag)) appendAll(el, cleanChildren(node));
    return [el];
  }

  function meaningful(el) {
    return el.textContent.trim() !== '' || el.querySelector('img,hr,table') !== null;
  }

  // Draft.js holds blocks: loose inline content becomes paragraphs, empty paragraphs vanish.
  function sanitize(html) {
    var tpl = document.createElement('template');
    tpl.innerHTML = html;
    var items = cleanChildren(tpl.content);
    var out = document.createElement('div');
    var para = null;
    function flush() {
      if (para && meaningful(para)) out.appendChild(para);
      para = null;
    }
    items.forEach(function (item) {
      if (item === BREAK) return flush();
      if (item.nodeType === 1 && BLOCKS.has(item.localName)) {
        flush();
        if (/^(p|h[1-4])$/.test(item.localName) && !meaningful(item)) return;
        out.appendChild(item);
        return;
      }
      if (!para) {
        if (item.nodeType === 3 && item.nodeValue.trim() === '') return;
        para = document.createElement('p');
      }
      para.appendChild(item);
    });
    flush();
    return out.innerHTML;
  }

  function textToHtml(text) {
    var div = document.createElement('div');
    return text
      .split(/\r?\n/)
      .filter(function (line) { return line.trim() !== ''; })
      .map(function (line) {
        div.textContent = line;
        return '<p>' + div.innerHTML + '</p>';
      })
      .join('');
  }

  // ---------- rendering ----------
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

  var panel = null;

  function renderPanel() {
    if (!state.panelOpen) {
      if (panel) panel.root.remove();
      panel = null;
      return;
    }
    if (!panel) panel = buildPanel();
    var full = state.topics.length >= MAX_TOPICS;
    panel.chips.replaceChildren.apply(panel.chips, state.topics.map(function (t) {
      var remove = el('button', { type: 'button', 'aria-label': '移除话题', class: 'PublishPanel-topicRemove', text: '×' });
      remove.addEventListener('click', function () {
        state.topics = state.topics.filter(function (x) { return x.id !== t.id; });
        render();
      });
      var chip = el('span', { class: 'PublishPanel-topicTag', 'data-topic-id': t.id }, [document.createTextNode(t.name), remove]);
      return chip;
    }));
    panel.add.disabled = full || state.publishing;
    if (state.searchOpen && !full) {
      if (!panel.search.isConnected) panel.searchSlot.appendChild(panel.search);
      if (panel.input.value !== state.query) panel.input.value = state.query;
      panel.list.replaceChildren.apply(panel.list, state.suggestions.map(function (t) {
        var option = el('button', { role: 'option', type: 'button', 'data-topic-id': t.id, class: 'PublishPanel-option', text: t.name });
        option.addEventListener('click', function () { addTopic(t); });
        return option;
      }));
      if (state.suggestions.length > 0 && !panel.list.isConnected) panel.search.appendChild(panel.list);
      if (state.suggestions.length === 0 && panel.list.isConnected) panel.list.remove();
    } else if (panel.search.isConnected) {
      panel.search.remove();
    }
    panel.confirm.disabled = state.publishing;
    panel.confirm.textContent = state.publishing ? '发布中…' : '确认发布';
  }

  function buildPanel() {
    var chips = el('div', { class: 'PublishPanel-topics' });
    var add = el('button', { type: 'button', class: 'Button PublishPanel-addTopic', text: '添加话题' });
    var input = el('input', { placeholder: '搜索话题', class: 'Input PublishPanel-searchInput', autocomplete: 'off' });
    var list = el('div', { role: 'listbox', class: 'PublishPanel-suggestions' });
    var search = el('div', { class: 'PublishPanel-search' }, [input]);
    var searchSlot = el('div', { class: 'PublishPanel-searchSlot' });
    var cancel = el('button', { type: 'button', class: 'Button PublishPanel-cancel', text: '取消' });
    var confirm = el('button', { type: 'button', class: 'Button PublishPanel-confirm Button--primary', text: '确认发布' });
    var root = el('div', { role: 'dialog', 'aria-label': '发布设置', class: 'PublishPanel' }, [
      el('div', { class: 'PublishPanel-title', text: '发布设置' }),
      el('div', { class: 'PublishPanel-section' }, [
        el('div', { class: 'PublishPanel-label', text: '文章话题' }),
        chips,
        add,
        searchSlot,
        el('div', { class: 'PublishPanel-hint', text: '最多 3 个话题，好的话题能让文章被更多人看到' }),
      ]),
      el('div', { class: 'PublishPanel-section' }, [
        el('div', { class: 'PublishPanel-label', text: '投稿至专栏' }),
        el('div', { class: 'PublishPanel-hint', text: '不投稿' }),
      ]),
      el('div', { class: 'PublishPanel-footer' }, [cancel, confirm]),
    ]);
    add.addEventListener('click', function () {
      state.searchOpen = true;
      render();
      input.focus();
    });
    input.addEventListener('input', function (event) {
      state.query = event.target.value;
      if (!state.query.trim()) state.suggestions = [];
      render();
      scheduleSearch();
    });
    cancel.addEventListener('click', function () {
      state.panelOpen = false;
      render();
    });
    confirm.addEventListener('click', publish);
    document.querySelector('.WriteIndex-panelSlot').appendChild(root);
    return { root: root, chips: chips, add: add, input: input, list: list, search: search, searchSlot: searchSlot, confirm: confirm };
  }

  function render(options) {
    // Controlled field: the DOM always shows the state, whatever was written into it directly.
    if (titleEl.value !== state.title) titleEl.value = state.title;
    if (options && options.body) editorEl.innerHTML = state.content;
    if (placeholderEl) placeholderEl.style.display = state.content ? 'none' : '';
    statusEl.textContent = STATUS[state.saveStatus];
    renderPanel();
  }

  function toast(message) {
    var node = el('div', { class: 'Notification Notification--error', role: 'alert' }, [
      el('span', { class: 'Notification-text', text: message }),
    ]);
    toastsEl.appendChild(node);
    setTimeout(function () { node.remove(); }, TOAST_MS);
  }

  // ---------- server calls ----------
  function api(method, url, body) {
    return fetch(url, {
      method: method,
      credentials: 'same-origin',
      headers: body === undefined ? {} : { 'Content-Type': 'application/json' },
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

  // ---------- topics ----------
  var searchTimer = null;
  var searchSeq = 0;

  function scheduleSearch() {
    clearTimeout(searchTimer);
    var query = state.query.trim();
    if (!query) return;
    searchTimer = setTimeout(function () {
      var seq = ++searchSeq;
      api('GET', '/api/autocomplete/topics?token=' + encodeURIComponent(query) + '&max_matches=5')
        .then(function (res) {
          // Only the answer to the latest search may show, like any typeahead.
          if (seq !== searchSeq || !res.ok || !Array.isArray(res.body)) return;
          if (state.query.trim() !== query) return;
          state.suggestions = res.body.map(function (t) { return { id: String(t.id), name: String(t.name) }; });
          render();
        })
        .catch(function () {});
    }, SEARCH_DEBOUNCE_MS);
  }

  function addTopic(topic) {
    var known = state.topics.some(function (t) { return t.id === topic.id; });
    if (!known && state.topics.length < MAX_TOPICS) state.topics = state.topics.concat([topic]);
    state.query = '';
    state.suggestions = [];
    searchSeq += 1;
    if (state.topics.length >= MAX_TOPICS) state.searchOpen = false;
    render();
  }

  // ---------- publishing ----------
  function showRiskPage(error) {
    document.body.replaceChildren(
      el('main', { class: 'ErrorPage', 'data-code': String(error.code) }, [
        el('h1', { class: 'ErrorPage-title', text: String(error.code) }),
        el('p', { class: 'ErrorPage-subtitle', text: error.message }),
        el('a', { class: 'Button', href: '/', text: '返回首页' }),
      ])
    );
  }

  function publish() {
    if (state.publishing) return;
    state.publishing = true;
    render();
    flush()
      .then(function () {
        if (!draftId) throw new Error('no draft');
        return api('PUT', '/api/articles/' + draftId + '/publish', {
          title: state.title,
          content: state.content,
          topics: state.topics.map(function (t) { return t.id; }),
          column: null,
          commentPermission: 'anyone',
        });
      })
      .then(function (res) {
        if (res.ok && res.body) {
          var hint = res.body._sandbox || {};
          if (hint.redirectAfterMs === null) {
            state.publishing = false;
            render();
            return;
          }
          var id = String(res.body.id);
          setTimeout(function () { location.assign('/p/' + id); }, hint.redirectAfterMs || 0);
          return;
        }
        state.publishing = false;
        render();
        var error = (res.body && res.body.error) || {};
        if (error.code === 40352 && error.redirect) {
          location.assign(error.redirect);
          return;
        }
        if (error.code === 40362) {
          showRiskPage(error);
          return;
        }
        toast(error.message || '发布失败，请稍后重试');
      })
      .catch(function () {
        state.publishing = false;
        render();
        toast(draftId ? '网络异常，请稍后重试' : '草稿保存失败，请稍后重试');
      });
  }

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
    state.panelOpen = true;
    render();
    if (dirty || !draftId) flush();
  });

  render({ body: true });
})();
`;
