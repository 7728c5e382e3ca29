/**
 * A task's Zhihu article as the composer needs it to update that article in place ("更新文章"),
 * and what kind of task a row is (a new article, an update, a draft), from what the row carries.
 */
import type { Stage, TaskDetail, TaskView } from '@zpub/shared';
import { DEFAULT_OPTIONS, type OptionsForm } from './zhihu-options-form';

export interface UpdateSource {
  accountId: string;
  /** The Zhihu article the new task edits. */
  articleId: string;
  title: string;
  content: string;
  topics: string[];
  options: OptionsForm;
  draft: boolean;
}

/** The composer's starting point for updating the article a succeeded task published (or drafted); null when it has none. */
export function updateSourceOf(task: TaskDetail): UpdateSource | null {
  const articleId = task.articleId ?? task.result?.articleId;
  if (task.status !== 'success' || !articleId) return null;
  return {
    accountId: task.accountId,
    articleId,
    title: task.title,
    content: task.content,
    topics: [...task.topics],
    options: {
      column: task.column ?? DEFAULT_OPTIONS.column,
      cover: task.cover ?? DEFAULT_OPTIONS.cover,
      statement: task.statement ?? DEFAULT_OPTIONS.statement,
      commentPermission: task.commentPermission ?? DEFAULT_OPTIONS.commentPermission,
    },
    draft: task.mode === 'draft',
  };
}

export type TaskKind = 'publish' | 'update' | 'draft';

/**
 * List rows carry `mode` and `articleId` only once the detail was read; the stage a task ended in
 * tells too.
 */
export function kindOf(task: Pick<TaskView, 'mode' | 'articleId'> & { stage: Stage }): TaskKind {
  if (task.mode === 'draft' || task.stage === 'drafted') return 'draft';
  if (task.articleId || task.stage === 'updated') return 'update';
  return 'publish';
}
