/**
 * What it costs to reach one document by `_id`, and to write it only over an older version, as
 * the collection grows (docs/state.md, "FerretDB: a document by `_id`"). Starts its own FerretDB
 * (the stack's build) in a temporary folder, makes a 10,000- and a 100,000-document collection in
 * two databases, adds the launcher's `_id` lookup index (indexFerretIds) to one of them only,
 * times each operation on all four (interleaved), prints a table, and stops FerretDB.
 *
 *   cd tests && npx tsx bench/probes/ferretdb-by-id.ts
 *
 * With MONGODB_URI set it measures that server instead, without the index step (on MongoDB every
 * row should stay flat; there is no MongoDB on this machine).
 */
import { indexFerretIds, startFerret, tempDir, type FerretHandle, type TempDir } from '@zpub/devstack';
import mongoose from 'mongoose';

const SIZES = [10_000, 100_000] as const;
const REPEAT = 10;
type Ids = mongoose.mongo.ObjectId[];

let dir: TempDir | null = null;
let ferret: FerretHandle | null = null;
let uri = process.env.MONGODB_URI;
if (!uri) {
  dir = await tempDir('zpub-probe-');
  ferret = await startFerret({ dir: dir.path });
  uri = ferret.uri('probe');
}
const conn = await mongoose.createConnection(uri).asPromise();
const client = conn.getClient();
const variants = ferret ? (['plain', 'indexed'] as const) : (['plain'] as const);
const sets: { label: string; col: mongoose.mongo.Collection; ids: Ids }[] = [];
for (const variant of variants) {
  const dbName = `zpub_probe_${process.pid}_${variant}`;
  for (const n of SIZES) {
    const col = client.db(dbName).collection(`docs_${n}`);
    const ids: Ids = [];
    for (let i = 0; i < n; i += 2000) {
      const docs = Array.from({ length: Math.min(2000, n - i) }, (_, k) => {
        const _id = new mongoose.mongo.ObjectId();
        ids.push(_id);
        return { _id, title: `文章 ${i + k}`, status: 'running', v: 3, progress: 10, token: `t${i + k}` };
      });
      await col.insertMany(docs, { ordered: false });
    }
    sets.push({ label: `${n.toLocaleString('en')} docs${ferret ? `, ${variant === 'plain' ? 'FerretDB alone' : 'lookup index'}` : ''}`, col, ids });
  }
  if (ferret && dir && variant === 'indexed') await indexFerretIds(dir.path, dbName);
}

/** The `back`-th document from the end of the collection: recent documents are the ones that change. */
const recent = (ids: Ids, back: number) => ids[ids.length - 1 - back];

const ops: [string, (col: mongoose.mongo.Collection, ids: Ids, i: number) => Promise<unknown>][] = [
  ['findOne({ _id }), a recent document', (col, ids, i) => col.findOne({ _id: recent(ids, i) })],
  ['updateOne({ _id }) that changes it', (col, ids, i) => col.updateOne({ _id: recent(ids, REPEAT + i) }, { $set: { progress: 50 } })],
  ['updateOne({ _id, v: { $lt } }): a version-conditional write in one filter', (col, ids, i) => col.updateOne({ _id: recent(ids, 2 * REPEAT + i), v: { $lt: 5 } }, { $set: { v: 5 } })],
  [
    'findOne({ _id }, { v }) then updateOne({ _id }): the same write, version read first',
    async (col, ids, i) => {
      const _id = recent(ids, 3 * REPEAT + i);
      const doc = await col.findOne({ _id }, { projection: { v: 1 } });
      if (doc && doc.v < 5) await col.updateOne({ _id }, { $set: { v: 5 } });
    },
  ],
  ['updateOne({ _id, token }): a claim checked in the filter', (col, ids, i) => col.updateOne({ _id: recent(ids, 4 * REPEAT + i), token: 'nobody' }, { $set: { at: 1 } })],
  ['deleteOne({ _id })', (col, ids, i) => col.deleteOne({ _id: recent(ids, 5 * REPEAT + i) })],
];

console.log(`| operation (mean of ${REPEAT}) | ${sets.map((s) => s.label).join(' | ')} |`);
console.log(`|---|${sets.map(() => '---').join('|')}|`);
for (const [name, op] of ops) {
  const total = sets.map(() => 0);
  for (let i = 0; i < REPEAT; i++) {
    for (const [k, set] of sets.entries()) {
      const t0 = performance.now();
      await op(set.col, set.ids, i);
      total[k] = (total[k] ?? 0) + performance.now() - t0;
    }
  }
  console.log(`| ${name} | ${total.map((t) => `${(t / REPEAT).toFixed(1)} ms`).join(' | ')} |`);
}
for (const variant of variants) await client.db(`zpub_probe_${process.pid}_${variant}`).dropDatabase();
await conn.close();
await ferret?.stop();
await dir?.cleanup();
