/** The composer's Zhihu settings as the form holds them, and as the API takes them. */
import type { ArticleInput, CommentPermission, CreationStatement } from '@zpub/shared';

export interface OptionsForm {
  /** A column id, or '' for none. */
  column: string;
  /** An image address or `/assets/<sha256>`, or '' for none. */
  cover: string;
  statement: CreationStatement;
  commentPermission: CommentPermission;
}

export const DEFAULT_OPTIONS: OptionsForm = { column: '', cover: '', statement: 'none', commentPermission: 'anyone' };

type Options = Pick<ArticleInput, 'column' | 'cover' | 'statement' | 'commentPermission'>;

/**
 * Only what differs from Zhihu's defaults is sent: a setting left at its default is one control
 * the publisher need not touch on Zhihu's page. An update sends the statement and the comment
 * permission always: the article on Zhihu may hold other values, and the form's are the wanted ones.
 */
export function optionsInput(form: OptionsForm, update = false): Options {
  const out: Options = {};
  if (form.column.trim() !== '') out.column = form.column.trim();
  if (form.cover.trim() !== '') out.cover = form.cover.trim();
  if (update || form.statement !== DEFAULT_OPTIONS.statement) out.statement = form.statement;
  if (update || form.commentPermission !== DEFAULT_OPTIONS.commentPermission) out.commentPermission = form.commentPermission;
  return out;
}
