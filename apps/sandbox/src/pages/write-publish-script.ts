// Publishing from the editor page, spliced into the editor script's closure (write-script.ts).
// Today: one click on 发布 saves what is pending and POSTs /api/v4/content/publish, whose refusals
// come as HTTP 200 with a `code`; legacy: 确认发布 PUTs /api/articles/<id>/publish, refusals as
// HTTP errors. Either way the page then goes to /p/<id>, or to the captcha page, or shows 40362.
// Plain ES2020 in a String.raw: no template literals or `${` inside.

export const PUBLISH_SCRIPT = String.raw`
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

  function disclaimer() {
    return { disclaimer_type: state.statement, disclaimer_status: state.statement === 'none' ? 'close' : 'open' };
  }

  function publishToday() {
    var statement = disclaimer();
    var business = {
      column: state.column ? { id: state.column } : null,
      commentPermission: state.comment,
      disclaimer_type: statement.disclaimer_type,
      disclaimer_status: statement.disclaimer_status,
      table_of_contents_enabled: false,
      commercial_report_info: { commercial_types: [] },
      commercial_zhitask_bind_info: null,
      canReward: false,
    };
    return api('POST', '/api/v4/content/publish', {
      action: 'article',
      data: {
        publish: { traceId: Date.now() + ',' + Math.random().toString(16).slice(2) },
        extra_info: { publisher: 'pc', pc_business_params: JSON.stringify(business) },
        draft: { disabled: 1, id: draftId, isPublished: Boolean(config.draft && config.draft.published) },
        commentsPermission: { comment_permission: state.comment },
        creationStatement: statement,
        contentsTables: { table_of_contents_enabled: false },
        commercialReportInfo: { isReport: 0 },
        appreciate: { can_reward: false, tagline: '' },
        hybridInfo: {},
      },
    });
  }

  function publishLegacy() {
    var statement = disclaimer();
    return api('PUT', '/api/articles/' + draftId + '/publish', {
      title: state.title,
      content: state.content,
      topics: state.topics.map(function (t) { return t.id; }),
      column: state.column || null,
      commentPermission: state.comment,
      disclaimer_type: statement.disclaimer_type,
      disclaimer_status: statement.disclaimer_status,
    });
  }

  /** The refusal in an answer, or null when the answer accepted the article. */
  function refusalOf(res) {
    var body = res.body || {};
    if (TODAY && res.status === 200) return body.message === 'success' ? null : body;
    if (!TODAY && res.ok && body.id) return null;
    return body.error || {};
  }

  function answered(res) {
    var error = refusalOf(res);
    if (!error) {
      var hint = (res.body && res.body._sandbox) || {};
      if (hint.redirectAfterMs === null) {
        state.publishing = false;
        render();
        return;
      }
      var id = draftId;
      setTimeout(function () { location.assign('/p/' + id); }, hint.redirectAfterMs || 0);
      return;
    }
    state.publishing = false;
    render();
    if (error.code === 40352 && error.redirect) {
      location.assign(error.redirect);
      return;
    }
    if (error.code === 40362) {
      showRiskPage(error);
      return;
    }
    toast(error.message || '发布失败，请稍后重试');
  }

  function publish() {
    if (state.publishing) return;
    state.publishing = true;
    render();
    if (dirty || !draftId) flush();
    afterSaves(function () {
      if (!draftId) throw new Error('no draft');
      return TODAY ? publishToday() : publishLegacy();
    }).then(answered, function () {
      state.publishing = false;
      render();
      toast(draftId ? '网络异常，请稍后重试' : '草稿保存失败，请稍后重试');
    });
  }
`;
