/**
 * Uploaded images (`POST /assets`, `GET /assets/<sha256>`) against the real server and FerretDB:
 * what is accepted (the type read from the bytes, up to ASSET_MAX_BYTES), what one upload stores,
 * who may read it back, the same-origin rule, and tasks that name images their user never uploaded.
 */
import { ASSET_MAX_BYTES } from '@zpub/shared';
import { Types } from 'mongoose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { User, expectRefusal } from './support/client';
import { GIF_1X1, WEBP_1X1, png, sha256 } from './support/images';
import { bootStack, type TestStack } from './support/stack';

let stack: TestStack;
let alice: User;
let aliceId: string;
let bob: User;
let bobId: string;

beforeAll(async () => {
  stack = await bootStack({ workers: 0 });
  alice = await User.register(stack.urls.app);
  bob = await User.register(stack.urls.app);
  aliceId = (await alice.api.auth.me.query())?.id ?? '';
  bobId = (await bob.api.auth.me.query())?.id ?? '';
});

afterAll(async () => {
  await stack?.stop();
});

interface Answer {
  status: number;
  headers: Headers;
  json: { url?: string; sha256?: string; mime?: string; size?: number; error?: { message: string; data: { code: string; appCode: string } } };
}

async function upload(who: User, body: Buffer | ReadableStream<Uint8Array>, headers: Record<string, string> = {}): Promise<Answer> {
  const res = await who.fetch(`${stack.urls.app}/assets`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/octet-stream', ...headers },
    body,
    duplex: 'half',
  } as RequestInit);
  const text = await res.text();
  return { status: res.status, headers: res.headers, json: text ? (JSON.parse(text) as Answer['json']) : {} };
}

async function storedFor(userId: string): Promise<{ _id: string; mime: string; size: number; sha256: string }[]> {
  const db = await stack.db();
  const docs = await db.collection<{ _id: string }>('assets').find({ userId: new Types.ObjectId(userId) }).project({ data: 0 }).toArray();
  return docs as unknown as { _id: string; mime: string; size: number; sha256: string }[];
}

/** A body sent in chunks with no Content-Length, as a program streaming a file would. */
function streamed(total: number, chunk = 256 * 1024): ReadableStream<Uint8Array> {
  let sent = 0;
  return new ReadableStream({
    pull(controller) {
      if (sent >= total) return controller.close();
      const n = Math.min(chunk, total - sent);
      const part = new Uint8Array(n);
      if (sent === 0) part.set([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
      sent += n;
      controller.enqueue(part);
    },
  });
}

describe('uploading an image', () => {
  it('stores a PNG under its SHA-256 and serves it back to its owner with safe headers', async () => {
    const image = png(3, 2, [200, 30, 30]);
    const up = await upload(alice, image, { 'Content-Type': 'image/png' });
    expect(up.status).toBe(201);
    expect(up.json).toEqual({ url: `/assets/${sha256(image)}`, sha256: sha256(image), mime: 'image/png', size: image.length });
    expect(up.headers.get('cache-control')).toBe('no-store');

    const res = await alice.fetch(`${stack.urls.app}${up.json.url}`);
    expect(res.status).toBe(200);
    expect(Buffer.from(await res.arrayBuffer()).equals(image)).toBe(true);
    expect(res.headers.get('content-type')).toBe('image/png');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('content-security-policy')).toMatch(/default-src 'none'.*sandbox/);
    expect(res.headers.get('cache-control')).toBe('private, max-age=31536000, immutable');
    expect(res.headers.get('cross-origin-resource-policy')).toBe('same-origin');
    expect(res.headers.get('set-cookie')).toBeNull();

    const again = await alice.fetch(`${stack.urls.app}${up.json.url}`, { headers: { 'If-None-Match': res.headers.get('etag') ?? '' } });
    expect(again.status).toBe(304);
    const head = await alice.fetch(`${stack.urls.app}${up.json.url}`, { method: 'HEAD' });
    expect(head.status).toBe(200);
    expect(head.headers.get('content-length')).toBe(String(image.length));
  });

  it('takes the type from the bytes, not from what the upload claims', async () => {
    const image = png(1, 1, [1, 2, 3]);
    const claimedJpeg = await upload(alice, image, { 'Content-Type': 'image/jpeg' });
    expect(claimedJpeg.json.mime).toBe('image/png');
    const jpegBytes = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.from('JFIF rest of a jpeg')]);
    expect((await upload(alice, jpegBytes, { 'Content-Type': 'application/octet-stream' })).json.mime).toBe('image/jpeg');
    expect((await upload(alice, GIF_1X1)).json.mime).toBe('image/gif');
    expect((await upload(alice, WEBP_1X1)).json.mime).toBe('image/webp');
    const served = await alice.fetch(`${stack.urls.app}/assets/${sha256(jpegBytes)}`);
    expect(served.headers.get('content-type')).toBe('image/jpeg');
  });

  it('refuses what is not a PNG, JPEG, GIF or WebP, and stores none of it', async () => {
    const before = (await storedFor(aliceId)).length;
    const svg = await upload(alice, Buffer.from('<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'), { 'Content-Type': 'image/svg+xml' });
    expect(svg.status).toBe(415);
    expect(svg.json.error).toMatchObject({ message: expect.stringContaining('SVG is refused'), data: { code: 'UNSUPPORTED_MEDIA_TYPE', appCode: 'UNSUPPORTED_IMAGE' } });
    const html = await upload(alice, Buffer.from('<html><script>alert(1)</script>'), { 'Content-Type': 'image/png' });
    expect(html.status).toBe(415);
    const form = new FormData();
    form.append('file', new Blob([new Uint8Array(png(1, 1, [9, 9, 9]))], { type: 'image/png' }), 'a.png');
    const multipart = await alice.fetch(`${stack.urls.app}/assets`, { method: 'POST', body: form });
    expect(multipart.status).toBe(415);
    expect(((await multipart.json()) as Answer['json']).error?.message).toContain('not a form');
    const empty = await upload(alice, Buffer.alloc(0));
    expect(empty.status).toBe(400);
    expect(empty.json.error?.data.appCode).toBe('EMPTY');
    expect(await storedFor(aliceId)).toHaveLength(before);
  });

  it(`accepts ${ASSET_MAX_BYTES} bytes and refuses one more, declared or streamed`, async () => {
    const before = (await storedFor(aliceId)).length;
    const max = Buffer.alloc(ASSET_MAX_BYTES, 7);
    png(1, 1, [0, 0, 0]).copy(max, 0, 0, 8);
    const ok = await upload(alice, max);
    expect(ok.status).toBe(201);
    const over = Buffer.alloc(ASSET_MAX_BYTES + 1, 7);
    max.copy(over, 0, 0, 8);
    const declared = await upload(alice, over);
    expect(declared.status).toBe(413);
    expect(declared.json.error).toMatchObject({ message: expect.stringContaining('10 MiB'), data: { code: 'PAYLOAD_TOO_LARGE', appCode: 'TOO_LARGE' } });
    const chunked = await upload(alice, streamed(ASSET_MAX_BYTES + 1));
    expect(chunked.status).toBe(413);
    const stored = await storedFor(aliceId);
    expect(stored).toHaveLength(before + 1);
    expect(stored.find((d) => d.size === ASSET_MAX_BYTES)?.sha256).toBe(sha256(max));
  });

  it('stores the same bytes once per user, under <userId>:<sha256>', async () => {
    const image = png(4, 4, [10, 200, 10]);
    const first = await upload(alice, image);
    const second = await upload(alice, image);
    expect([first.status, second.status]).toEqual([201, 200]);
    expect(second.json.url).toBe(first.json.url);
    const mine = (await storedFor(aliceId)).filter((d) => d.sha256 === sha256(image));
    expect(mine.map((d) => d._id)).toEqual([`${aliceId}:${sha256(image)}`]);
  });
});

describe('who may read an image', () => {
  it('gives another user 404, as if it did not exist, until they upload the same bytes themselves', async () => {
    const image = png(5, 5, [1, 1, 250]);
    const { json } = await upload(alice, image);
    const url = `${stack.urls.app}${json.url}`;
    const asBob = await bob.fetch(url);
    expect(asBob.status).toBe(404);
    expect(await asBob.text()).not.toContain('PNG');
    const missing = await alice.fetch(`${stack.urls.app}/assets/${'0'.repeat(64)}`);
    expect(missing.status).toBe(404);

    expect((await upload(bob, image)).status).toBe(201);
    expect((await bob.fetch(url)).status).toBe(200);
    expect((await storedFor(bobId)).map((d) => d._id)).toContain(`${bobId}:${sha256(image)}`);
    expect((await alice.fetch(url)).status).toBe(200);
  });

  it('gives no image and takes none without a session', async () => {
    const image = png(6, 1, [0, 0, 0]);
    const { json } = await upload(alice, image);
    const anonymous = new User(stack.urls.app);
    expect((await anonymous.fetch(`${stack.urls.app}${json.url}`)).status).toBe(404);
    const before = await stack.db().then((db) => db.collection('assets').countDocuments());
    const refused = await upload(anonymous, png(7, 1, [0, 0, 0]));
    expect(refused.status).toBe(401);
    expect(refused.json.error?.data.code).toBe('UNAUTHORIZED');
    const forged = new User(stack.urls.app);
    forged.cookie = `zpub_sid=${'x'.repeat(43)}`;
    expect((await upload(forged, png(7, 1, [0, 0, 0]))).status).toBe(401);
    expect(await stack.db().then((db) => db.collection('assets').countDocuments())).toBe(before);
  });

  it('refuses an upload sent with the session cookie from another origin', async () => {
    const port = Number(new URL(stack.urls.app).port);
    const before = (await storedFor(aliceId)).length;
    const hostile: Record<string, string>[] = [
      { Origin: 'https://evil.example', 'Sec-Fetch-Site': 'cross-site' },
      { Origin: `http://127.0.0.1:${port + 1}`, 'Sec-Fetch-Site': 'same-site' },
      { Origin: 'null' },
    ];
    for (const headers of hostile) {
      const forged = new User(stack.urls.app, null);
      forged.cookie = alice.cookie;
      const res = await upload(forged, png(8, 8, [66, 66, 66]), headers);
      expect(res.status).toBe(403);
      expect(res.json.error).toMatchObject({ message: expect.stringContaining('Cross-site requests are not accepted'), data: { appCode: 'CROSS_SITE' } });
    }
    expect(await storedFor(aliceId)).toHaveLength(before);
    // A program with the cookie (no Origin at all) is not a web page: accepted.
    const script = new User(stack.urls.app, null);
    script.cookie = alice.cookie;
    expect((await upload(script, png(8, 8, [66, 66, 66]))).status).toBe(201);
  });
});

describe('tasks that name uploaded images', () => {
  let accountId: string;
  let mine: string;
  let bobs: string;

  beforeAll(async () => {
    accountId = (await alice.sandboxAccount()).id;
    mine = (await upload(alice, png(9, 9, [9, 99, 199]))).json.url ?? '';
    bobs = (await upload(bob, png(9, 9, [199, 99, 9]))).json.url ?? '';
  });

  const taskCount = async () => (await stack.db()).collection('tasks').countDocuments({ accountId: new Types.ObjectId(accountId) });

  it('accepts the user’s own images in the body and as the cover', async () => {
    const content = `图一：\n\n![示意图](${mine})\n`;
    const { taskId } = await alice.api.task.create.mutate({ accountId, title: '有图', content, cover: mine });
    const detail = await alice.api.task.byId.query({ id: taskId });
    expect(detail).toMatchObject({ content, cover: mine });
  });

  it('takes its own absolute image addresses (copied from its pages) as the uploaded images they name', async () => {
    const absolute = `${stack.urls.app}${mine}`;
    const { taskId } = await alice.api.task.create.mutate({ accountId, title: '复制的图片地址', content: `![图](${absolute})\n\n<img src="${absolute}">`, cover: absolute });
    expect(await alice.api.task.byId.query({ id: taskId })).toMatchObject({ content: `![图](${mine})\n\n<img src="${mine}">`, cover: mine });
    // Someone else's image by its full address is refused like its path; another site's stays a web image.
    const theirs = await expectRefusal(alice.api.task.create.mutate({ accountId, title: '别人的图片地址', content: `![](${stack.urls.app}${bobs})` }));
    expect(theirs).toMatchObject({ appCode: 'UNKNOWN_IMAGE', message: expect.stringContaining(bobs) });
    const elsewhere = `https://pic.example.com${mine}`;
    const batch = await alice.api.task.createBatch.mutate({ accountId, articles: [{ title: '批量里的地址', content: `![](${absolute}) ![](${elsewhere})` }] });
    const [created] = batch.created;
    expect(batch.rejected).toEqual([]);
    expect((await alice.api.task.byId.query({ id: created?.taskId ?? '' })).content).toBe(`![](${mine}) ![](${elsewhere})`);
  });

  it('refuses an image the user never uploaded, naming it, and saves nothing', async () => {
    const before = await taskCount();
    const inBody = await expectRefusal(alice.api.task.create.mutate({ accountId, title: '别人的图', content: `![](${mine})\n![](${bobs})` }));
    expect(inBody).toMatchObject({ code: 'BAD_REQUEST', appCode: 'UNKNOWN_IMAGE', status: 400 });
    expect(inBody.message).toBe(`content: the body names an image you never uploaded: ${bobs}; upload it first (POST /assets)`);
    const asCover = await expectRefusal(alice.api.task.create.mutate({ accountId, title: '别人的封面', content: '正文', cover: bobs }));
    expect(asCover).toMatchObject({ code: 'BAD_REQUEST', appCode: 'UNKNOWN_IMAGE' });
    expect(asCover.message).toContain(`cover: ${bobs} is not an image you uploaded`);
    expect(await taskCount()).toBe(before);
  });

  it('in a batch, refuses only the article with an unknown image', async () => {
    const unknown = `/assets/${'e'.repeat(64)}`;
    const res = await alice.api.task.createBatch.mutate({
      accountId,
      articles: [
        { title: '好的一篇', content: `![](${mine})` },
        { title: '坏的一篇', content: `![](${mine}) ![](${unknown})` },
        { title: '封面坏了', content: '正文', cover: unknown },
        { title: '也是好的', content: '没有图' },
      ],
    });
    expect(res.created.map((c) => c.index)).toEqual([0, 3]);
    expect(res.rejected).toEqual([
      {
        index: 1,
        code: 'UNKNOWN_IMAGE',
        message: `content: the body names an image you never uploaded: ${unknown}; upload it first (POST /assets)`,
        field: 'content',
        params: { images: [unknown] },
      },
      { index: 2, code: 'UNKNOWN_IMAGE', message: `cover: ${unknown} is not an image you uploaded; upload the cover first (POST /assets)`, field: 'cover', params: { images: [unknown] } },
    ]);
    const titles = await Promise.all(res.created.map(async (c) => (await alice.api.task.byId.query({ id: c.taskId })).title));
    expect(titles).toEqual(['好的一篇', '也是好的']);
  });
});
