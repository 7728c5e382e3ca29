/**
 * What an article's schema cannot know: whether its column is one of the account's columns, and
 * whether every uploaded image it names (`/assets/<sha256>`, in the body or as the cover) is one
 * the user uploaded. A refusal names the field, the value and what to do.
 */
import { assetIdOf, assetPath, type ArticleInput, type ColumnView, type RejectionCode } from '@zpub/shared';
import type { AccountDirectory } from './accounts';
import { assetIdsIn, type AssetStore } from './assets';

export interface ArticleProblem {
  code: RejectionCode;
  field: 'column' | 'cover' | 'content';
  message: string;
}

/** At most this many values are named in one message; the rest are counted. */
const NAMED_MAX = 5;

function listed(items: string[]): string {
  const shown = items.slice(0, NAMED_MAX).join(', ');
  return items.length > NAMED_MAX ? `${shown} and ${items.length - NAMED_MAX} more` : shown;
}

export function columnProblem(column: string, known: ColumnView[] | undefined): ArticleProblem | null {
  // Not read yet (the account was never checked since columns were added): Zhihu judges the id
  // when the article is published, and the SPA asks for the id rather than offering a list.
  if (known === undefined) return null;
  if (known.some((c) => c.id === column)) return null;
  if (known.length === 0) {
    return {
      code: 'INVALID_COLUMN',
      field: 'column',
      message: `This account has no columns on Zhihu (as of its last login check), so "${column}" cannot be used; leave the column out, or create the column on Zhihu and verify the account again`,
    };
  }
  const names = known.map((c) => (c.title && c.title !== c.id ? `${c.id} (${c.title})` : c.id));
  return {
    code: 'INVALID_COLUMN',
    field: 'column',
    message: `"${column}" is not one of this account's columns: ${listed(names)}. If the column is new, verify the account again to refresh the list`,
  };
}

export class ArticleChecks {
  constructor(
    private readonly accounts: Pick<AccountDirectory, 'columnsOf'>,
    private readonly assets: Pick<AssetStore, 'owns'>,
  ) {}

  /**
   * A checker for the articles of one submission: the account's columns and each image are
   * looked up once, however many articles name them.
   */
  forSubmission(userId: string, accountId: string): (article: ArticleInput) => Promise<ArticleProblem | null> {
    let columns: Promise<ColumnView[] | undefined> | null = null;
    const owned = new Map<string, Promise<boolean>>();
    const isOwned = (sha: string) => {
      let p = owned.get(sha);
      if (!p) {
        p = this.assets.owns(userId, sha);
        owned.set(sha, p);
      }
      return p;
    };
    const unknownOf = async (shas: string[]) => {
      const found = await Promise.all(shas.map(isOwned));
      return shas.filter((_, i) => !found[i]).map(assetPath);
    };

    return async (article) => {
      if (article.column !== undefined) {
        columns ??= this.accounts.columnsOf(accountId);
        const problem = columnProblem(article.column, await columns);
        if (problem) return problem;
      }
      const cover = article.cover === undefined ? null : assetIdOf(article.cover);
      if (cover && (await unknownOf([cover])).length > 0) {
        return {
          code: 'UNKNOWN_IMAGE',
          field: 'cover',
          message: `${assetPath(cover)} is not an image you uploaded; upload the cover first (POST /assets)`,
        };
      }
      const unknown = await unknownOf(assetIdsIn(article.content));
      if (unknown.length > 0) {
        return {
          code: 'UNKNOWN_IMAGE',
          field: 'content',
          message: `the body names ${unknown.length === 1 ? 'an image' : 'images'} you never uploaded: ${listed(unknown)}; upload ${unknown.length === 1 ? 'it' : 'them'} first (POST /assets)`,
        };
      }
      return null;
    };
  }
}
