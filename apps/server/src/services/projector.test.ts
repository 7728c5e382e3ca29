/**
 * A task document only moves forward, on either kind of store: the projector's writes with the
 * version in the filter (MongoDB) and with the version read first, then a write by `_id` (FerretDB,
 * which reads the whole collection for any filter beyond `_id`). Both run here against a real
 * FerretDB, which answers both forms.
 */
import { startFerret, tempDir, type FerretHandle, type TempDir } from '@zpub/devstack';
import { connectMongo, type Models } from '@zpub/shared/node';
import mongoose, { type Connection } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LeaseLost, writeForward } from './projector';

let dir: TempDir;
let ferret: FerretHandle;
let conn: Connection;
let models: Models;
let detected: boolean;

beforeAll(async () => {
  dir = await tempDir('zpub-ferret-');
  ferret = await startFerret({ dir: dir.path });
  ({ conn, models, scansBeyondId: detected } = await connectMongo(ferret.uri('projector')));
}, 300_000);

afterAll(async () => {
  await conn?.close();
  await ferret?.stop();
  await dir?.cleanup();
});

const oid = () => new mongoose.Types.ObjectId();

async function seed(...versions: number[]): Promise<string[]> {
  const ids = versions.map(() => oid());
  await models.Task.collection.insertMany(ids.map((_id, i) => ({ _id, v: versions[i], status: 'running', progress: 10 })));
  return ids.map((id) => id.toString());
}

const stored = async (id: string) => models.Task.findById(id, { v: 1, status: 1, progress: 1, _id: 0 }).lean();

it('knows FerretDB for a store that scans for filters beyond _id', () => {
  expect(detected).toBe(true);
});

describe.each([
  ['the version in the filter (MongoDB)', false],
  ['the version read first (FerretDB)', true],
])('writing task documents forward, %s', (_, scans) => {
  it('changes only documents that hold an older version, and names every refused one', async () => {
    const [older = '', same = '', newer = ''] = await seed(5, 5, 9);
    const missing = oid().toString();
    const set = (v: number) => ({ $set: { v, status: 'success', progress: 100 } });
    const res = await writeForward(
      models,
      [
        { id: older, v: 7, update: set(7) },
        { id: same, v: 5, update: set(5) },
        { id: newer, v: 8, update: set(8) },
        { id: missing, v: 3, update: set(3) },
      ],
      scans,
      async () => true,
    );
    expect(res.modified).toBe(1);
    expect(res.refused).toEqual(expect.arrayContaining([same, newer, missing]));
    expect(await stored(older)).toEqual({ v: 7, status: 'success', progress: 100 });
    expect(await stored(same)).toEqual({ v: 5, status: 'running', progress: 10 });
    expect(await stored(newer)).toEqual({ v: 9, status: 'running', progress: 10 });
    expect(await stored(missing)).toBeNull();
  });

  it('writes everything when nothing is refused, with $unset too', async () => {
    const ids = await seed(1, 2, 3);
    const res = await writeForward(models, ids.map((id, i) => ({ id, v: 10 + i, update: { $set: { v: 10 + i }, $unset: { progress: '' } } })), scans, async () => true);
    expect(res).toEqual({ modified: 3, refused: [] });
    for (const [i, id] of ids.entries()) expect(await stored(id)).toEqual({ v: 10 + i, status: 'running' });
  });
});

it('writes nothing when the lease was lost while the versions were read', async () => {
  const [id = ''] = await seed(1);
  await expect(writeForward(models, [{ id: id, v: 2, update: { $set: { v: 2, status: 'success' } } }], true, async () => false)).rejects.toBeInstanceOf(LeaseLost);
  expect(await stored(id)).toEqual({ v: 1, status: 'running', progress: 10 });
});
