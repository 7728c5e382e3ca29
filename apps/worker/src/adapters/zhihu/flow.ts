/**
 * What the publishing and the draft flows share: the article as the adapter takes it, the hooks
 * the job gives it, what an attempt can end with, and the first steps (open the right editor,
 * put every image on Zhihu's image host) that come before anything is typed.
 */
import type { PublishMode, Stage, TaskError } from '@zpub/shared';
import type { Page } from 'puppeteer-core';
import { PublishError } from '../../errors';
import { openEditor, type Settings } from './editor';
import { rehostImages, type AssetLoader } from './images';
import type { Watch } from './outcome';
import { STEP_TIMEOUT, type Origins } from './session';

export interface Article extends Settings {
  title: string;
  html: string;
  topics: string[];
  /** The cover: a web address or an uploaded image (`/assets/<sha256>`). */
  cover?: string | undefined;
  /** Edit this Zhihu article (15-20 digits) in place instead of creating one. */
  articleId?: string | undefined;
  /** `draft`: save to Zhihu's drafts and never click 发布. Absent means publish. */
  mode?: PublishMode | undefined;
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
  | { status: 'success'; url: string; articleId: string; stage: 'verified' | 'updated' | 'duplicate' | 'drafted'; message: string }
  | { status: 'unconfirmed'; message: string; articleId: string | null; error?: TaskError };

export interface FlowOptions {
  redirectTimeoutMs: number;
}

/** The editor for the article (new, or the existing one's), and its body with every image on Zhihu. */
export async function openArticle(page: Page, origins: Origins, article: Article, hooks: FlowHooks): Promise<{ html: string; cover: string | null }> {
  await openEditor(page, origins, article.articleId);
  const images = await rehostImages(page, origins, article.html, article.cover, hooks.loadAsset);
  if (images.count > 0) await hooks.stage('images', `${images.count} image${images.count > 1 ? 's' : ''} on Zhihu's image host`);
  return { html: images.html, cover: images.cover ?? null };
}

/** The draft the editor saves to: the one it created when it was filled, or the article being edited. */
export async function draftOf(watch: Watch): Promise<string> {
  const deadline = Date.now() + STEP_TIMEOUT;
  while (!watch.draftId && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
  if (!watch.draftId) throw new PublishError('EDITOR_CHANGED', 'The editor did not save a draft (POST /api/articles/drafts) after it was filled');
  return watch.draftId;
}
