/**
 * Publishing one article to Zhihu the way a person would: images onto Zhihu first, the editor
 * filled, the settings chosen (on the page today, in the dialog on the legacy flow), one click,
 * then proof from inside the account's session. The same code drives zhihu.com and the sandbox;
 * only `origins` differ. Steps live in editor.ts, images.ts, outcome.ts and proof.ts.
 */
import { LIMITS, type Stage, type TaskError } from '@zpub/shared';
import type { Page } from 'puppeteer-core';
import { PublishError, UNCONFIRMED_HINT } from '../../errors';
import { chooseSettings, chooseTopics, clickButton, detectLayout, fillEditor, openEditor, openPublishDialog, setCover, type Layout, type Settings } from './editor';
import { rehostImages, type AssetLoader } from './images';
import { awaitVerdict, watchNetwork, type Verdict, type Watch } from './outcome';
import { findExisting, proveLive } from './proof';
import { PATHS, SELECTORS, TEXTS } from './selectors';
import { STEP_TIMEOUT, type Me, type Origins } from './session';

export { loginCheck, setAccountCookies, type Me, type Origins } from './session';

export interface Article extends Settings {
  title: string;
  html: string;
  topics: string[];
  /** The cover: a web address or an uploaded image (`/assets/<sha256>`). */
  cover?: string | undefined;
}

export interface FlowHooks {
  /** Reports progress; throws when this attempt no longer owns the task. */
  stage(stage: Stage, message?: string): Promise<void>;
  /** Called right before the irreversible click; throws when the attempt lost the task. */
  beforeSubmit(): Promise<void>;
  /** The user's uploaded images, for re-hosting them on Zhihu. */
  loadAsset: AssetLoader;
  signal: AbortSignal;
}

export interface Prior {
  /** When an earlier attempt clicked to publish (ms), if it did. */
  submittedAt: number | null;
}

export type Outcome =
  | { status: 'success'; url: string; articleId: string; duplicate: boolean; message: string }
  | { status: 'unconfirmed'; message: string; articleId: string | null; error?: TaskError };

export interface FlowOptions {
  redirectTimeoutMs: number;
}

/** The draft the editor created when it was filled: the cover is set on it. */
async function draftOf(watch: Watch): Promise<string> {
  const deadline = Date.now() + STEP_TIMEOUT;
  while (!watch.draftId && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  if (!watch.draftId) throw new PublishError('EDITOR_CHANGED', 'The editor did not save a draft (POST /api/articles/drafts) after it was filled');
  return watch.draftId;
}

/** Everything up to the click: images, editor, settings. Returns the flow the page offered. */
async function prepare(page: Page, origins: Origins, article: Article, hooks: FlowHooks, watch: Watch): Promise<Layout> {
  await openEditor(page, origins);
  const images = await rehostImages(page, origins, article.html, article.cover, hooks.loadAsset);
  if (images.count > 0) await hooks.stage('images', `${images.count} image${images.count > 1 ? 's' : ''} on Zhihu's image host`);
  await fillEditor(page, article.title, images.html);
  const layout = await detectLayout(page);
  if (images.cover) await setCover(page, origins, await draftOf(watch), images.cover);
  await hooks.stage('editor', `title and body filled (${layout === 'today' ? "today's editor" : 'legacy editor'})`);
  if (layout === 'legacy') await openPublishDialog(page);
  await chooseTopics(page, article.topics, layout);
  await chooseSettings(page, article);
  return layout;
}

/** The message and outcome once the page and the answers have spoken. */
async function settle(page: Page, origins: Origins, article: Article, watch: Watch, verdict: Verdict, opts: FlowOptions, layout: Layout): Promise<Outcome> {
  const clicked = layout === 'today' ? TEXTS.publish : TEXTS.confirm;
  const id =
    verdict.kind === 'redirected' || verdict.kind === 'proven' ? verdict.id : verdict.kind === 'risk' ? (verdict.id ?? watch.draftId) : (watch.publishOk?.id ?? watch.draftId);
  if (id && (verdict.kind === 'proven' || (await proveLive(page, origins, id, article.title)))) {
    const message =
      verdict.kind === 'risk'
        ? `Zhihu showed 40362 (risk control) after ${clicked}, but the article page, opened in the account's session, says published`
        : verdict.kind === 'redirected'
          ? "the article page, opened in the account's session, says published"
          : `the editor did not move on after ${clicked}, but the article page, opened in the account's session, says published`;
    return { status: 'success', url: origins.zhuanlan + PATHS.article(id), articleId: id, duplicate: false, message };
  }
  if (verdict.kind === 'risk') {
    const message = `Zhihu showed 40362 (risk control) after ${clicked} and the article page does not show the article. ${UNCONFIRMED_HINT}`;
    return { status: 'unconfirmed', message, articleId: id, error: { code: 'RISK_CONTROL', message, retryable: false } };
  }
  const why =
    verdict.kind === 'redirected'
      ? "The article page opened but, opened in the account's session, it does not say published"
      : `No article page within ${Math.round(opts.redirectTimeoutMs / 1000)} s of ${clicked}, and the article page does not show the article`;
  return { status: 'unconfirmed', message: `${why}. ${UNCONFIRMED_HINT}`, articleId: id };
}

export async function publishArticle(page: Page, origins: Origins, article: Article, me: Me, hooks: FlowHooks, prior: Prior, opts: FlowOptions): Promise<Outcome> {
  // Zhihu refuses it anyway; nothing is typed into its editor for a title it would reject.
  if ([...article.title].length > LIMITS.titleMax) throw new PublishError('TITLE_TOO_LONG', `The title has ${[...article.title].length} characters`);
  // An earlier attempt clicked to publish: if that article exists, this attempt is already done.
  if (prior.submittedAt !== null) {
    const existing = await findExisting(page, origins, me.urlToken, article.title, prior.submittedAt);
    if (existing) return { status: 'success', ...existing, duplicate: true, message: 'already published by an earlier attempt' };
  }
  const watch = watchNetwork(page);
  const layout = await prepare(page, origins, article, hooks, watch);

  // The last moment to stop: after this click the article may be live.
  await hooks.beforeSubmit();
  if (layout === 'today') await clickButton(page, TEXTS.publish);
  else await clickButton(page, TEXTS.confirm, SELECTORS.publishPanel);

  const verdict = await awaitVerdict(page, origins, article.title, watch, hooks.signal, opts.redirectTimeoutMs, layout);
  if (verdict.kind === 'refused') throw verdict.error;
  if (verdict.kind === 'redirected') await hooks.stage('redirected', `article page ${PATHS.article(verdict.id)} reached`);
  return settle(page, origins, article, watch, verdict, opts, layout);
}
