import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { z } from 'zod';

// Drafts live in memory only; published articles are also written to the data file (if any), so
// links handed out before a restart keep working. Ids are 19-digit decimal strings, never numbers:
// they are past 2^53 and would lose digits. An article keeps every version it was published in;
// editing it works on a draft under the same id until it is published again.

export interface StoredTopic {
  id: string;
  name: string;
}

export interface Column {
  id: string;
  title: string;
}

/** What the publish settings say about an article, beyond its title, body and topics. */
export interface ArticleSettings {
  column: Column | null;
  /** The cover (`titleImage`), an image URL on the sandbox's image host. */
  cover: string | null;
  /** `disclaimer_type`; `none` when no creation statement was made. */
  statement: string;
  /** `comment_permission`. */
  commentPermission: string;
}

export const DEFAULT_SETTINGS: ArticleSettings = { column: null, cover: null, statement: 'none', commentPermission: 'anyone' };

export interface Draft {
  id: string;
  author: string;
  title: string;
  content: string;
  /** Topics the editor page attached one by one (`POST /api/articles/<id>/topics`). */
  topics: StoredTopic[];
  /** `titleImage` as the last draft save set it. */
  titleImage: string | null;
  created: number;
  updated: number;
}

/** One published state of an article: what a reader saw from `at` on. */
export interface Version {
  title: string;
  html: string;
  /** Epoch ms of that publish. */
  at: number;
}

export interface Article {
  id: string;
  author: string;
  title: string;
  html: string;
  topics: StoredTopic[];
  column: Column | null;
  cover: string | null;
  statement: string;
  commentPermission: string;
  /** Epoch ms of the first publish. */
  created: number;
  /** Epoch ms of the latest publish. */
  updated: number;
  /** Every publish, oldest first; the last one is what the article page shows. */
  versions: Version[];
}

const versionSchema = z.object({ title: z.string(), html: z.string(), at: z.number() });
const articleSchema = z.object({
  id: z.string().regex(/^\d{15,20}$/),
  author: z.string(),
  title: z.string(),
  html: z.string(),
  topics: z.array(z.object({ id: z.string(), name: z.string() })),
  // Absent in files written before publish settings existed: those articles had none.
  column: z.object({ id: z.string(), title: z.string() }).nullable().default(null),
  cover: z.string().nullable().default(null),
  statement: z.string().default('none'),
  commentPermission: z.string().default('anyone'),
  created: z.number(),
  updated: z.number(),
  // Absent in files written before edits kept their history: their one known version is the latest.
  versions: z.array(versionSchema).default([]),
});
const fileSchema = z.object({ version: z.literal(1), articles: z.array(articleSchema) });

export class DataFileError extends Error {
  override name = 'DataFileError';
}

export class Store {
  readonly #dataFile: string | undefined;
  #drafts = new Map<string, Draft>();
  // Insertion order is publish order, which is what /__sandbox/articles promises.
  #articles = new Map<string, Article>();
  #lastId = 0n;
  #counter = 0n;
  // Writes run one after another so an older snapshot can never land after a newer one.
  #writing: Promise<void> = Promise.resolve();

  constructor(dataFile?: string) {
    this.#dataFile = dataFile;
  }

  async load(): Promise<void> {
    if (!this.#dataFile) return;
    let text: string;
    try {
      text = await readFile(this.#dataFile, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
      throw error;
    }
    let parsed: z.infer<typeof fileSchema>;
    try {
      parsed = fileSchema.parse(JSON.parse(text));
    } catch (error) {
      throw new DataFileError(`SANDBOX_DATA_FILE ${this.#dataFile} is not a sandbox data file: ${(error as Error).message}`);
    }
    for (const article of parsed.articles) {
      if (article.versions.length === 0) article.versions = [{ title: article.title, html: article.html, at: article.updated }];
      this.#articles.set(article.id, article);
      const n = BigInt(article.id);
      if (n > this.#lastId) this.#lastId = n;
    }
  }

  newId(): string {
    // Time-based like Zhihu's ids; strictly increasing even within one millisecond or after a restart.
    this.#counter = (this.#counter + 1n) % 1_000_000n;
    let id = BigInt(Date.now()) * 1_000_000n + this.#counter;
    if (id <= this.#lastId) id = this.#lastId + 1n;
    this.#lastId = id;
    return id.toString();
  }

  createDraft(author: string, title: string, content: string): Draft {
    const now = Date.now();
    const draft: Draft = { id: this.newId(), author, title, content, topics: [], titleImage: null, created: now, updated: now };
    this.#drafts.set(draft.id, draft);
    return { ...draft };
  }

  draft(id: string): Draft | undefined {
    const draft = this.#drafts.get(id);
    return draft ? { ...draft } : undefined;
  }

  /** Who wrote the draft or article `id`, if there is one. */
  authorOf(id: string): string | undefined {
    return (this.#drafts.get(id) ?? this.#articles.get(id))?.author;
  }

  /**
   * Drafts holding what no reader has seen: never published, or saved since the last publish.
   * Oldest first.
   */
  pendingDrafts(author?: string): Draft[] {
    return [...this.#drafts.values()]
      .filter((d) => author === undefined || d.author === author)
      .filter((d) => {
        const article = this.#articles.get(d.id);
        return !article || d.updated > article.updated;
      })
      .sort((a, b) => a.created - b.created)
      .map((d) => ({ ...d }));
  }

  /**
   * Drafts are not persisted: after a restart, editing a published article starts a new draft
   * from the article under the same id, as Zhihu's "edit" does.
   */
  draftFromArticle(id: string): Draft | undefined {
    const existing = this.#drafts.get(id);
    if (existing) return { ...existing };
    const article = this.#articles.get(id);
    if (!article) return undefined;
    const draft: Draft = {
      id,
      author: article.author,
      title: article.title,
      content: article.html,
      topics: article.topics,
      titleImage: article.cover,
      created: article.created,
      updated: article.updated,
    };
    this.#drafts.set(id, draft);
    return { ...draft };
  }

  updateDraft(id: string, patch: { title?: string; content?: string; titleImage?: string | null; topics?: StoredTopic[] }): Draft | undefined {
    const draft = this.#drafts.get(id);
    if (!draft) return undefined;
    if (patch.title !== undefined) draft.title = patch.title;
    if (patch.content !== undefined) draft.content = patch.content;
    if (patch.titleImage !== undefined) draft.titleImage = patch.titleImage;
    if (patch.topics !== undefined) draft.topics = patch.topics;
    draft.updated = Date.now();
    return { ...draft };
  }

  /** Publishes (or republishes) a draft under its own id. */
  async publish(draftId: string, fields: { title: string; html: string; topics: StoredTopic[] } & Partial<ArticleSettings>): Promise<Article> {
    const draft = this.#drafts.get(draftId);
    if (!draft) throw new Error(`no draft ${draftId}`);
    const now = Date.now();
    draft.title = fields.title;
    draft.content = fields.html;
    draft.updated = now;
    const previous = this.#articles.get(draftId);
    const article: Article = {
      id: draftId,
      author: draft.author,
      title: fields.title,
      html: fields.html,
      topics: fields.topics,
      column: fields.column ?? DEFAULT_SETTINGS.column,
      cover: fields.cover ?? DEFAULT_SETTINGS.cover,
      statement: fields.statement ?? DEFAULT_SETTINGS.statement,
      commentPermission: fields.commentPermission ?? DEFAULT_SETTINGS.commentPermission,
      created: previous?.created ?? now,
      updated: now,
      versions: [...(previous?.versions ?? []), { title: fields.title, html: fields.html, at: now }],
    };
    this.#articles.set(article.id, article);
    await this.#persist();
    return { ...article };
  }

  article(id: string): Article | undefined {
    const article = this.#articles.get(id);
    return article ? { ...article, versions: [...article.versions] } : undefined;
  }

  /** Oldest first. */
  articles(author?: string): Article[] {
    const all = [...this.#articles.values()];
    return (author === undefined ? all : all.filter((a) => a.author === author)).map((a) => ({ ...a, versions: [...a.versions] }));
  }

  hasAuthor(name: string): boolean {
    for (const a of this.#articles.values()) if (a.author === name) return true;
    for (const d of this.#drafts.values()) if (d.author === name) return true;
    return false;
  }

  async reset(): Promise<void> {
    this.#drafts.clear();
    this.#articles.clear();
    const file = this.#dataFile;
    if (file) {
      const remove = () => rm(file, { force: true });
      this.#writing = this.#writing.then(remove, remove);
    }
    await this.#writing;
  }

  /** Resolves once every write asked for so far is on disk. */
  async flush(): Promise<void> {
    await this.#writing;
  }

  #persist(): Promise<void> {
    const file = this.#dataFile;
    if (!file) return Promise.resolve();
    const run = async () => {
      // Snapshot at write time, so a queued write always stores the latest state.
      const body = JSON.stringify({ version: 1, articles: [...this.#articles.values()] }, null, 2);
      const tmp = `${file}.${process.pid}.tmp`;
      await mkdir(dirname(file), { recursive: true });
      await writeFile(tmp, body, 'utf8');
      await rename(tmp, file);
    };
    this.#writing = this.#writing.then(run, run);
    return this.#writing;
  }
}
