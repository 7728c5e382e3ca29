/**
 * Publishing one article to Zhihu the way a person would: images onto Zhihu first, the editor
 * filled (a new article's, or the existing article's own editor for an update in place), the
 * settings chosen (on the page today, in the dialog on the legacy flow), one click, then proof
 * from inside the account's session. Draft-only tasks never get here past the mode check
 * (draft.ts). The same code drives zhihu.com and the sandbox; only `origins` differ.
 */
import { LIMITS, note, unconfirmedText } from '@zpub/shared';
import type { Page } from 'puppeteer-core';
import { PublishError } from '../../errors';
import { bodySignature, type Expected } from './content';
import { saveDraft } from './draft';
import { chooseSettings, chooseTopics, clickButton, detectLayout, fillEditor, openPublishDialog, setCover, type Layout } from './editor';
import { draftOf, openArticle, type Article, type FlowHooks, type FlowOptions, type Outcome, type Prior } from './flow';
import { awaitVerdict, watchNetwork, type Verdict, type Watch } from './outcome';
import { findExisting, proveLive } from './proof';
import { PATHS, SELECTORS, TEXTS } from './selectors';
import type { Me, Origins } from './session';

export { loginCheck, setAccountCookies, type Me, type Origins } from './session';
export type { Article, FlowHooks, FlowOptions, Outcome, Prior } from './flow';

/** Everything between the open editor and the click: body, cover, topics, settings. Returns the flow the page offered. */
async function prepare(page: Page, origins: Origins, article: Article, body: { html: string; cover: string | null }, hooks: FlowHooks, watch: Watch): Promise<Layout> {
  await fillEditor(page, article.title, body.html);
  const layout = await detectLayout(page);
  if (body.cover) await setCover(page, origins, await draftOf(watch), body.cover);
  await hooks.stage('editor', note('editorFilled', article.articleId ? { layout, articleId: article.articleId } : { layout }));
  if (layout === 'legacy') await openPublishDialog(page);
  await chooseTopics(page, article.topics, layout);
  await chooseSettings(page, article, article.articleId !== undefined);
  return layout;
}

/** The note and outcome once the page and the answers have spoken. */
async function settle(page: Page, origins: Origins, article: Article, expected: Expected, watch: Watch, verdict: Verdict, opts: FlowOptions, layout: Layout): Promise<Outcome> {
  const clicked = layout === 'today' ? TEXTS.publish : TEXTS.confirm;
  const update = article.articleId !== undefined;
  const id =
    verdict.kind === 'redirected' || verdict.kind === 'proven' ? verdict.id : verdict.kind === 'risk' ? (verdict.id ?? watch.draftId) : (watch.publishOk?.id ?? watch.draftId);
  if (id && (verdict.kind === 'proven' || (await proveLive(page, origins, id, expected)))) {
    const how =
      verdict.kind === 'risk'
        ? note('provenAfterRisk', { button: clicked, update })
        : verdict.kind === 'redirected'
          ? note('provenOnPage', { update })
          : note('provenEditorStayed', { button: clicked, update });
    return { status: 'success', url: origins.zhuanlan + PATHS.article(id), articleId: id, stage: update ? 'updated' : 'verified', note: how };
  }
  if (verdict.kind === 'risk') {
    const why = note('unconfirmedRisk', { button: clicked, update });
    return { status: 'unconfirmed', note: why, articleId: id, error: { code: 'RISK_CONTROL', message: unconfirmedText(why), retryable: false, detail: why } };
  }
  const why =
    verdict.kind === 'redirected'
      ? note('unconfirmedNotPublished', { update })
      : note('unconfirmedNoPage', { seconds: Math.round(opts.redirectTimeoutMs / 1000), button: clicked, update });
  return { status: 'unconfirmed', note: why, articleId: id };
}

export async function publishArticle(page: Page, origins: Origins, article: Article, me: Me, hooks: FlowHooks, prior: Prior, opts: FlowOptions): Promise<Outcome> {
  // Zhihu refuses it anyway; nothing is typed into its editor for a title it would reject.
  const chars = [...article.title].length;
  if (chars > LIMITS.titleMax) throw new PublishError('TITLE_TOO_LONG', note('titleLength', { chars, max: LIMITS.titleMax }));
  if (article.mode === 'draft') return saveDraft(page, origins, article, hooks);
  const update = article.articleId;
  // An earlier attempt clicked to publish: if that article exists, this attempt is already done.
  if (!update && prior.submittedAt !== null) {
    const existing = await findExisting(page, origins, me.urlToken, article.title, prior.submittedAt);
    if (existing) return { status: 'success', ...existing, stage: 'duplicate', note: note('alreadyPublished') };
  }
  const watch = watchNetwork(page, update ?? null);
  const body = await openArticle(page, origins, article, hooks);
  // An update is proven by its new body too: the article page shows some version whatever happens.
  const expected: Expected = { title: article.title, body: update ? bodySignature(body.html) : undefined };
  // An earlier attempt clicked to update: if the article already shows this version, it is done.
  if (update && prior.submittedAt !== null && (await proveLive(page, origins, update, expected, 2))) {
    return {
      status: 'success',
      url: origins.zhuanlan + PATHS.article(update),
      articleId: update,
      stage: 'duplicate',
      note: note('alreadyUpdated'),
    };
  }
  const layout = await prepare(page, origins, article, body, hooks, watch);

  // The last moment to stop: after this click the article (or its new version) may be live.
  await hooks.beforeSubmit();
  if (layout === 'today') await clickButton(page, TEXTS.publish);
  else await clickButton(page, TEXTS.confirm, SELECTORS.publishPanel);

  const verdict = await awaitVerdict(page, origins, expected, watch, hooks.signal, opts.redirectTimeoutMs, layout);
  if (verdict.kind === 'refused') throw verdict.error;
  if (verdict.kind === 'redirected') await hooks.stage('redirected', note('pageReached', { path: PATHS.article(verdict.id) }));
  return settle(page, origins, article, expected, watch, verdict, opts, layout);
}
