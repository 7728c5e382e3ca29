/**
 * Draft only: the editor is filled (a new article's, or an existing article's own editor) and left
 * to save its draft, as the most-used cross-posters do (Wechatsync ends at `PATCH .../draft` and
 * hands out `/p/<id>/edit`). 发布 is never clicked, so nothing becomes public and there is no
 * irreversible point. Done is: the page's own draft save answered with this title and body, and
 * the draft's editor, opened in the account's session, shows the title.
 */
import type { Page } from 'puppeteer-core';
import { PublishError } from '../../errors';
import { bodySignature, sameBody, sameTitle, type BodySignature } from './content';
import { chooseTopics, detectLayout, fillEditor, setCover } from './editor';
import { draftOf, openArticle, type Article, type FlowHooks, type Outcome } from './flow';
import { watchNetwork, type Watch } from './outcome';
import { draftShows } from './proof';
import { PATHS } from './selectors';
import { STEP_TIMEOUT, type Origins } from './session';

/** Whether the page's answered saves hold this title and body (a save may carry only one of them). */
export function draftHolds(saved: Watch['saved'], title: string, body: BodySignature): boolean {
  return saved.title !== null && sameTitle(saved.title, title) && saved.content !== null && sameBody(bodySignature(saved.content), body);
}

async function awaitDraftSaved(watch: Watch, title: string, body: BodySignature, signal: AbortSignal): Promise<void> {
  const deadline = Date.now() + STEP_TIMEOUT;
  while (!draftHolds(watch.saved, title, body)) {
    if (signal.aborted) throw new PublishError('PUBLISH_TIMEOUT', 'The attempt was stopped while the draft was being saved');
    if (Date.now() > deadline) {
      throw new PublishError('PUBLISH_TIMEOUT', `The editor did not confirm saving this title and body to the draft (PATCH /api/articles/<id>/draft) within ${STEP_TIMEOUT / 1000} s`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

export async function saveDraft(page: Page, origins: Origins, article: Article, hooks: FlowHooks): Promise<Outcome> {
  const watch = watchNetwork(page, article.articleId ?? null);
  const body = await openArticle(page, origins, article, hooks);
  await fillEditor(page, article.title, body.html);
  const layout = await detectLayout(page);
  const id = await draftOf(watch);
  if (body.cover) await setCover(page, origins, id, body.cover);
  await hooks.stage('editor', `${article.articleId ? `draft of article ${article.articleId}: ` : ''}title and body filled (${layout === 'today' ? "today's editor" : 'legacy editor'})`);
  // Today's page saves each topic to the draft at once; the legacy one only sends them with 确认发布.
  if (layout === 'today') await chooseTopics(page, article.topics, layout);
  await awaitDraftSaved(watch, article.title, bodySignature(body.html), hooks.signal);

  const held = [
    'title',
    'body',
    ...(body.cover ? ['cover'] : []),
    ...(layout === 'today' && article.topics.length > 0 ? ['topics'] : []),
  ].join(', ');
  const url = origins.zhuanlan + PATHS.edit(id);
  if (await draftShows(page, origins, id, article.title)) {
    // The rest is chosen when the draft is published, not kept on it by either editor.
    const later = layout === 'today' ? 'column, creation statement and comment permission' : 'topics, column, creation statement and comment permission';
    return {
      status: 'success',
      url,
      articleId: id,
      stage: 'drafted',
      message: `saved to Zhihu's drafts, not published (the draft holds the ${held}; ${later} are set when it is published); its editor, opened in the account's session, shows the title`,
    };
  }
  return {
    status: 'unconfirmed',
    articleId: id,
    message: `Zhihu answered the draft save, but the draft's editor (${PATHS.edit(id)}), opened in the account's session, does not show the title. Nothing was published; check the account's drafts on Zhihu.`,
  };
}
