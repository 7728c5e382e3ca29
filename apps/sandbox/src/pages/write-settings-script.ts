// The publish settings of the editor page, spliced into the editor script's closure
// (write-script.ts). The same controls serve both layouts: `today` shows them on the page and
// saves each topic to the draft at once (POST /api/articles/<id>/topics); `legacy` shows them in
// the dialog 发布 opens and sends everything with 确认发布. Topic suggestions are buttons inside
// `.Popover-content` today, `[role=listbox] [role=option]` in the legacy dialog.
// Plain ES2020 in a String.raw: no template literals or `${` inside.

export const SETTINGS_SCRIPT = String.raw`
  // ---------- settings ----------
  var settings = null;
  var panel = null;

  function optionList(select, entries, selected) {
    select.replaceChildren.apply(select, entries.map(function (entry) {
      return el('option', { value: entry[0], text: entry[1], selected: entry[0] === selected });
    }));
  }

  function buildSettings() {
    var chips = el('div', { class: 'PublishPanel-topics' });
    var add = el('button', { type: 'button', class: 'Button PublishPanel-addTopic', text: '添加话题' });
    var input = el('input', { placeholder: '搜索话题', class: 'Input PublishPanel-searchInput', autocomplete: 'off' });
    var list = TODAY
      ? el('div', { class: 'Popover-content PublishPanel-suggestions' })
      : el('div', { role: 'listbox', class: 'PublishPanel-suggestions' });
    var search = el('div', { class: 'PublishPanel-search' }, [input]);
    var searchSlot = el('div', { class: 'PublishPanel-searchSlot' });
    var column = el('select', { 'aria-label': '发布到专栏', class: 'PublishPanel-select' });
    optionList(column, [['', '不发布到专栏']].concat(config.columns.map(function (c) { return [c.id, c.title]; })), state.column);
    var statement = el('select', { 'aria-label': '创作声明', class: 'PublishPanel-select' });
    optionList(statement, config.statements, state.statement);
    var comment = el('select', { 'aria-label': '评论权限', class: 'PublishPanel-select' });
    optionList(comment, config.comments, state.comment);
    var section = function (label, children) {
      return el('div', { class: 'PublishPanel-section' }, [el('div', { class: 'PublishPanel-label', text: label })].concat(children));
    };
    var root = el('div', { class: 'PublishSettings' }, [
      section('文章话题', [chips, add, searchSlot, el('div', { class: 'PublishPanel-hint', text: '最多 3 个话题，好的话题能让文章被更多人看到' })]),
      section('发布到专栏', [column]),
      section('创作声明', [statement]),
      section('评论权限', [comment]),
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
    column.addEventListener('change', function () { state.column = column.value; });
    statement.addEventListener('change', function () { state.statement = statement.value; });
    comment.addEventListener('change', function () { state.comment = comment.value; });
    return { root: root, chips: chips, add: add, input: input, list: list, search: search, searchSlot: searchSlot };
  }

  function buildPanel() {
    var cancel = el('button', { type: 'button', class: 'Button PublishPanel-cancel', text: '取消' });
    var confirm = el('button', { type: 'button', class: 'Button PublishPanel-confirm Button--primary', text: '确认发布' });
    var root = el('div', { role: 'dialog', 'aria-label': '发布设置', class: 'PublishPanel' }, [
      el('div', { class: 'PublishPanel-title', text: '发布设置' }),
      settings.root,
      el('div', { class: 'PublishPanel-footer' }, [cancel, confirm]),
    ]);
    cancel.addEventListener('click', function () {
      state.panelOpen = false;
      render();
    });
    confirm.addEventListener('click', publish);
    document.querySelector('.WriteIndex-panelSlot').appendChild(root);
    return { root: root, confirm: confirm };
  }

  function renderSettings() {
    if (TODAY) {
      if (!settings) {
        settings = buildSettings();
        document.querySelector('.WriteIndex-settingsSlot').appendChild(settings.root);
      }
    } else if (!state.panelOpen) {
      if (panel) panel.root.remove();
      panel = null;
      settings = null;
      return;
    } else if (!panel) {
      settings = buildSettings();
      panel = buildPanel();
    }
    var full = state.topics.length >= MAX_TOPICS;
    // Like React, nodes are rebuilt only when their data changed: a save finishing elsewhere on
    // the page must not replace the suggestion a person is about to click.
    if (settings.shownTopics !== state.topics) {
      settings.shownTopics = state.topics;
      settings.chips.replaceChildren.apply(settings.chips, state.topics.map(chip));
    }
    settings.add.disabled = full || state.publishing;
    if (state.searchOpen && !full) {
      if (!settings.search.isConnected) settings.searchSlot.appendChild(settings.search);
      if (settings.input.value !== state.query) settings.input.value = state.query;
      if (settings.shownSuggestions !== state.suggestions) {
        settings.shownSuggestions = state.suggestions;
        settings.list.replaceChildren.apply(settings.list, state.suggestions.map(suggestion));
      }
      if (state.suggestions.length > 0 && !settings.list.isConnected) settings.search.appendChild(settings.list);
      if (state.suggestions.length === 0 && settings.list.isConnected) settings.list.remove();
    } else if (settings.search.isConnected) {
      settings.search.remove();
    }
    if (panel) {
      panel.confirm.disabled = state.publishing;
      panel.confirm.textContent = state.publishing ? '发布中…' : '确认发布';
    }
  }

  function chip(t) {
    var remove = el('button', { type: 'button', 'aria-label': '移除话题', class: 'PublishPanel-topicRemove', text: '×' });
    remove.addEventListener('click', function () { removeTopic(t); });
    return el('span', { class: 'PublishPanel-topicTag', 'data-topic-id': t.id }, [document.createTextNode(t.name), remove]);
  }

  function suggestion(t) {
    var option = TODAY
      ? el('button', { type: 'button', class: 'PublishPanel-option', text: t.name })
      : el('button', { role: 'option', type: 'button', 'data-topic-id': t.id, class: 'PublishPanel-option', text: t.name });
    option.addEventListener('click', function () { addTopic(t); });
    return option;
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
      api('GET', '/api/autocomplete/topics?token=' + encodeURIComponent(query) + '&max_matches=5&use_similar=0&topic_filter=1')
        .then(function (res) {
          // Only the answer to the latest search may show, like any typeahead.
          if (seq !== searchSeq || !res.ok || !Array.isArray(res.body)) return;
          if (state.query.trim() !== query) return;
          state.suggestions = res.body.map(function (t) { return { id: String(t.id), name: String(t.name), type: 'topic' }; });
          render();
        })
        .catch(function () {});
    }, SEARCH_DEBOUNCE_MS);
  }

  // Today the page saves a topic to the draft as soon as it is chosen, creating the draft if needed.
  function saveTopic(method, path, body) {
    if (!draftId) {
      dirty = true;
      flush();
    }
    return afterSaves(function () {
      if (!draftId) throw new Error('no draft');
      return api(method, '/api/articles/' + draftId + '/topics' + path, body).then(function (res) {
        if (!res.ok) throw new Error((res.body && res.body.error && res.body.error.message) || '话题保存失败');
      });
    });
  }

  function addTopic(topic) {
    var known = state.topics.some(function (t) { return t.id === topic.id; });
    var added = !known && state.topics.length < MAX_TOPICS;
    if (added) state.topics = state.topics.concat([{ id: topic.id, name: topic.name }]);
    state.query = '';
    state.suggestions = [];
    searchSeq += 1;
    if (state.topics.length >= MAX_TOPICS) state.searchOpen = false;
    render();
    if (TODAY && added) {
      saveTopic('POST', '', topic).catch(function (error) {
        state.topics = state.topics.filter(function (t) { return t.id !== topic.id; });
        render();
        toast(error.message);
      });
    }
  }

  function removeTopic(topic) {
    state.topics = state.topics.filter(function (x) { return x.id !== topic.id; });
    render();
    if (TODAY) saveTopic('DELETE', '/' + encodeURIComponent(topic.id)).catch(function (error) { toast(error.message); });
  }
`;
