/**
 * Publishing one article to Zhihu the way a person would: images onto Zhihu first, the editor
 * filled (a new article's, or the existing article's own editor for an update in place), the
 * settings chosen (on the page today, in the dialog on the legacy flow), one click, then proof
 * from inside the account's session. Draft-only tasks never get here past the mode check
 * (draft.ts). The same code drives zhihu.com and the sandbox; only `origins` differ.
 */
import { LIMITS } from '@zpub/shared';
import type { Page } from 'puppeteer-core';
import { PublishError, UNCONFIRMED_HINT } from '../../errors';
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
  const what = article.articleId ? `article ${article.articleId} opened for an update, ` : '';
  await hooks.stage('editor', `${what}title and body filled (${layout === 'today' ? "today's editor" : 'legacy editor'})`);
  if (layout === 'legacy') await openPublishDialog(page);
  await chooseTopics(page, article.topics, layout);
  await chooseSettings(page, article, article.articleId !== undefined);
  return layout;
}

/** The message and outcome once the page and the answers have spoken. */
async function settle(page: Page, origins: Origins, article: Article, expected: Expected, watch: Watch, verdict: Verdict, opts: FlowOptions, layout: Layout): Promise<Outcome> {
  const clicked = layout === 'today' ? TEXTS.publish : TEXTS.confirm;
  const update = article.articleId !== undefined;
  const id =
    verdict.kind === 'redirected' || verdict.kind === 'proven' ? verdict.id : verdict.kind === 'risk' ? (verdict.id ?? watch.draftId) : (watch.publishOk?.id ?? watch.draftId);
  if (id && (verdict.kind === 'proven' || (await proveLive(page, origins, id, expected)))) {
    const says = update ? 'shows the new title and body' : 'says published';
    const message =
      verdict.kind === 'risk'
        ? `Zhihu showed 40362 (risk control) after ${clicked}, but the article page, opened in the account's session, ${says}`
        : verdict.kind === 'redirected'
          ? `the article page, opened in the account's session, ${says}`
          : `the editor did not move on after ${clicked}, but the article page, opened in the account's session, ${says}`;
    return { status: 'success', url: origins.zhuanlan + PATHS.article(id), articleId: id, stage: update ? 'updated' : 'verified', message };
  }
  const shown = update ? 'does not show the new version' : 'does not show the article';
  if (verdict.kind === 'risk') {
    const message = `Zhihu showed 40362 (risk control) after ${clicked} and the article page ${shown}. ${UNCONFIRMED_HINT}`;
    return { status: 'unconfirmed', message, articleId: id, error: { code: 'RISK_CONTROL', message, retryable: false } };
  }
  const why =
    verdict.kind === 'redirected'
      ? `The article page opened but, opened in the account's session, it ${update ? 'does not show the new title and body' : 'does not say published'}`
      : `No article page within ${Math.round(opts.redirectTimeoutMs / 1000)} s of ${clicked}, and the article page ${shown}`;
  return { status: 'unconfirmed', message: `${why}. ${UNCONFIRMED_HINT}`, articleId: id };
}

export async function publishArticle(page: Page, origins: Origins, article: Article, me: Me, hooks: FlowHooks, prior: Prior, opts: FlowOptions): Promise<Outcome> {
  // Zhihu refuses it anyway; nothing is typed into its editor for a title it would reject.
  if ([...article.title].length > LIMITS.titleMax) throw new PublishError('TITLE_TOO_LONG', `The title has ${[...article.title].length} characters`);
  if (article.mode === 'draft') return saveDraft(page, origins, article, hooks);
  const update = article.articleId;
  // An earlier attempt clicked to publish: if that article exists, this attempt is already done.
  if (!update && prior.submittedAt !== null) {
    const existing = await findExisting(page, origins, me.urlToken, article.title, prior.submittedAt);
    if (existing) return { status: 'success', ...existing, stage: 'duplicate', message: 'already published by an earlier attempt' };
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
      message: "already updated by an earlier attempt: the article page, opened in the account's session, shows the new title and body",
    };
  }
  const layout = await prepare(page, origins, article, body, hooks, watch);

  // The last moment to stop: after this click the article (or its new version) may be live.
  await hooks.beforeSubmit();
  if (layout === 'today') await clickButton(page, TEXTS.publish);
  else await clickButton(page, TEXTS.confirm, SELECTORS.publishPanel);

  const verdict = await awaitVerdict(page, origins, expected, watch, hooks.signal, opts.redirectTimeoutMs, layout);
  if (verdict.kind === 'refused') throw verdict.error;
  if (verdict.kind === 'redirected') await hooks.stage('redirected', `article page ${PATHS.article(verdict.id)} reached`);
  return settle(page, origins, article, expected, watch, verdict, opts, layout);
}
