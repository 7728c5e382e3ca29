/**
 * Rows of tasks by id: from each task's hash in Redis (one pipelined round trip for a page), and
 * from MongoDB by `_id` for a task whose hash has expired (ended more than a week ago). Counts the
 * task documents it reads, so /metrics shows that nothing reads the collection wholesale.
 */
import { rowFromDoc, rowFromHash, type Models, type RedisClient, type RedisKeys, type StoredRow } from '@zpub/shared/node';
import { Types } from 'mongoose';

/** MongoDB reads at once: FerretDB serves `_id` lookups in parallel, each about a millisecond. */
const STORE_READS = 16;

export type DocReadReason = 'rows' | 'owner' | 'rebuild' | 'repair' | 'detail';

export class TaskRows {
  /** Task documents read from MongoDB by this process, by why. */
  readonly docsRead = new Map<DocReadReason, number>();

  constructor(
    private readonly redis: RedisClient,
    private readonly keys: RedisKeys,
    private readonly models: Models,
  ) {}

  countRead(reason: DocReadReason, n: number): void {
    this.docsRead.set(reason, (this.docsRead.get(reason) ?? 0) + n);
  }

  /** The rows of these tasks that exist, by id (a removed or unknown id is simply absent). */
  async get(ids: readonly string[], reason: DocReadReason = 'rows'): Promise<Map<string, StoredRow>> {
    const out = new Map<string, StoredRow>();
    if (ids.length === 0) return out;
    const hashes = await Promise.all(ids.map((id) => this.redis.hGetAll(this.keys.task(id))));
    const fromStore: string[] = [];
    ids.forEach((id, i) => {
      const h = hashes[i] ?? {};
      const row = rowFromHash(id, h);
      if (row) out.set(id, row);
      else if (!h.removed) fromStore.push(id);
    });
    for (let i = 0; i < fromStore.length; i += STORE_READS) {
      const chunk = fromStore.slice(i, i + STORE_READS);
      const docs = await Promise.all(chunk.filter((id) => Types.ObjectId.isValid(id)).map((id) => this.models.Task.findById(id).lean()));
      this.countRead(reason, docs.length);
      for (const doc of docs) {
        if (!doc) continue;
        const row = rowFromDoc(doc);
        // A live state kept before rows were: the document has the row, Redis the state.
        const h = hashes[ids.indexOf(row.id)] ?? {};
        if (h.status) Object.assign(row, { status: h.status, v: Number(h.v ?? row.v), attempt: Number(h.attempt ?? row.attempt), progress: Number(h.progress ?? row.progress) });
        out.set(row.id, row);
      }
    }
    return out;
  }

  async one(id: string, reason: DocReadReason = 'owner'): Promise<StoredRow | null> {
    return (await this.get([id], reason)).get(id) ?? null;
  }
}
