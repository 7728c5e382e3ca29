/**
 * How the cost of reaching one document by `_id` grows with its collection, on whatever
 * MongoDB-compatible server MONGODB_URI names (docs/state.md, "Open: FerretDB 1.24 on SQLite…").
 * Makes a 500- and a 10,000-document collection in a scratch database, times each operation on
 * both (interleaved per operation), prints a table, and drops the database.
 *
 *   MONGODB_URI=mongodb://127.0.0.1:27017/ npx tsx tests/bench/probes/ferretdb-by-id.ts
 *
 * On FerretDB 1.24.2 with SQLite the operations that scan grow with the collection; on MongoDB each
 * is an `_id` index lookup (not measured here: there is no MongoDB on this machine).
 */
import mongoose from 'mongoose';

const uri = process.env.MONGODB_URI;
if (!uri) throw new Error('MONGODB_URI is required (a scratch database is made there and dropped)');
const SIZES = [500, 10_000] as const;
const REPEAT = 20;

const conn = await mongoose.createConnection(uri).asPromise();
const db = conn.getClient().db(`zpub_probe_${process.pid}`);
type Ids = mongoose.mongo.ObjectId[];
const sets = new Map<number, { col: mongoose.mongo.Collection; ids: Ids }>();
for (const n of SIZES) {
  const col = db.collection(`docs_${n}`);
  const ids: Ids = [];
  for (let i = 0; i < n; i += 1000) {
    const docs = Array.from({ length: Math.min(1000, n - i) }, (_, k) => {
      const _id = new mongoose.mongo.ObjectId();
      ids.push(_id);
      return { _id, title: `文章 ${i + k}`, status: 'pending', v: 0, progress: 0 };
    });
    await col.insertMany(docs, { ordered: false });
  }
  sets.set(n, { col, ids });
}

/** The `back`-th document from the end of the collection (the newest first). */
const recent = (ids: Ids, back: number) => ids[ids.length - 1 - back];

const ops: [string, (col: mongoose.mongo.Collection, ids: Ids, i: number) => Promise<unknown>][] = [
  ['findOne({ _id }), one of the first inserted', (col, ids, i) => col.findOne({ _id: ids[i] })],
  ['findOne({ _id }), one of the last inserted', (col, ids, i) => col.findOne({ _id: recent(ids, i) })],
  // Recent documents are the ones that change (a task's events come soon after its creation).
  ['updateOne({ _id }) that changes nothing', (col, ids, i) => col.updateOne({ _id: recent(ids, i) }, { $set: { v: 0 } })],
  ['updateOne({ _id }) that changes the document', (col, ids, i) => col.updateOne({ _id: recent(ids, REPEAT + i) }, { $set: { progress: 7 } })],
  ['updateOne({ _id, v: { $lt } })', (col, ids, i) => col.updateOne({ _id: recent(ids, 2 * REPEAT + i), v: { $lt: 5 } }, { $set: { v: 5 } })],
  ['deleteOne({ _id })', (col, ids, i) => col.deleteOne({ _id: recent(ids, 3 * REPEAT + i) })],
];

console.log(`| operation | ${SIZES.map((n) => `${n.toLocaleString('en')} docs`).join(' | ')} |`);
console.log(`|---|${SIZES.map(() => '---').join('|')}|`);
for (const [name, op] of ops) {
  const total = new Map<number, number>(SIZES.map((n) => [n, 0]));
  for (let i = 0; i < REPEAT; i++) {
    for (const n of SIZES) {
      const set = sets.get(n);
      if (!set) continue;
      const t0 = performance.now();
      await op(set.col, set.ids, i);
      total.set(n, (total.get(n) ?? 0) + performance.now() - t0);
    }
  }
  console.log(`| ${name} | ${SIZES.map((n) => `${((total.get(n) ?? 0) / REPEAT).toFixed(1)} ms`).join(' | ')} |`);
}
await db.dropDatabase();
await conn.close();
