import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Sandbox } from './app.js';
import { md5, ossSignature, ossStringToSign } from './images.js';
import { client, pngBytes, startSandbox } from './testing.js';

// The image host at the HTTP level: a remote image re-hosted by `uploaded_images`, a local file
// through a ticket, a signed OSS PUT and a status poll, and the hosted copy served back.

let sandbox: Sandbox;
let remote: Server;
let remoteUrl = '';
const RED = pngBytes(255, 0, 0);
const BLUE = pngBytes(0, 0, 255);

beforeEach(async () => {
  sandbox = await startSandbox();
  remote = createServer((req, res) => {
    if (req.url === '/red.png') res.writeHead(200, { 'Content-Type': 'image/png' }).end(RED);
    else if (req.url === '/page.html') res.writeHead(200, { 'Content-Type': 'text/html' }).end('<p>not an image</p>');
    else res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => remote.listen(0, '127.0.0.1', resolve));
  remoteUrl = `http://127.0.0.1:${(remote.address() as AddressInfo).port}`;
});
afterEach(async () => {
  await sandbox.close();
  await new Promise((resolve) => remote.close(resolve));
});

const anon = () => client(sandbox.url);
const as = (name: string) => client(sandbox.url, name);

function form(url: string) {
  return fetch(`${sandbox.url}/api/uploaded_images`, {
    method: 'POST',
    headers: { cookie: 'z_c0=sandbox-alice', 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ url, source: 'article' }).toString(),
  });
}

async function hosted(src: string): Promise<Buffer> {
  const res = await fetch(src);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toBe('image/png');
  return Buffer.from(await res.arrayBuffer());
}

describe('uploaded_images (a remote image)', () => {
  it('fetches the image and answers the URL of a hosted copy', async () => {
    const res = await form(`${remoteUrl}/red.png`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as { src: string; hash: string };
    expect(body).toEqual({ src: `${sandbox.url}/v2-${md5(RED)}.png`, hash: md5(RED) });
    expect((await hosted(body.src)).equals(RED)).toBe(true);
  });

  it('refuses what is not an image, cannot be fetched, or comes while the fault is on', async () => {
    for (const url of [`${remoteUrl}/page.html`, `${remoteUrl}/missing.png`, 'http://127.0.0.1:1/x.png', 'file:///etc/passwd']) {
      const res = await form(url);
      expect(res.status, url).toBe(400);
      expect(((await res.json()) as { error: { code: number } }).error.code).toBe(10010);
    }
    await anon()('POST', '/__sandbox/faults', { kind: 'image-upload-failed', times: 1, author: 'alice' });
    expect((await form(`${remoteUrl}/red.png`)).status).toBe(500);
    expect((await form(`${remoteUrl}/red.png`)).status).toBe(200);
    const out = await fetch(`${sandbox.url}/api/uploaded_images`, { method: 'POST', body: 'url=x' });
    expect(out.status).toBe(401);
  });
});

describe('api images (a local file)', () => {
  it('issues a ticket, takes the signed upload, and reports the hosted URL', async () => {
    const hash = md5(BLUE);
    const ticketReply = await as('alice')('POST', '/images', { image_hash: hash, source: 'article' });
    expect(ticketReply.status).toBe(200);
    const ticket = ticketReply.json as {
      upload_file: { state: number; image_id: string; object_key: string };
      upload_token: { access_id: string; access_key: string; access_token: string };
    };
    expect(ticket.upload_file).toMatchObject({ state: 2, object_key: `v2-${hash}` });
    const status = () => as('alice')('GET', `/images/${ticket.upload_file.image_id}`);
    expect((await status()).json).toMatchObject({ status: 'processing' });

    const date = new Date().toUTCString();
    const userAgent = 'aliyun-sdk-js/6.8.0';
    const put = (signature: string, bytes: Buffer) =>
      fetch(`${sandbox.url}/${ticket.upload_file.object_key}`, {
        method: 'PUT',
        headers: {
          'content-type': 'image/png',
          authorization: `OSS ${ticket.upload_token.access_id}:${signature}`,
          'x-oss-date': date,
          'x-oss-security-token': ticket.upload_token.access_token,
          'x-oss-user-agent': userAgent,
        },
        body: new Uint8Array(bytes),
      });
    const good = ossSignature(
      ticket.upload_token.access_key,
      ossStringToSign({ contentType: 'image/png', date, token: ticket.upload_token.access_token, userAgent, objectKey: ticket.upload_file.object_key }),
    );
    expect((await put('forged', BLUE)).status).toBe(403);
    expect((await put(good, RED)).status).toBe(403);
    expect((await put(good, BLUE)).status).toBe(200);

    const done = (await status()).json as { status: string; src: string; original_src: string; original_hash: string };
    expect(done).toMatchObject({ status: 'success', src: `${sandbox.url}/v2-${hash}.png`, original_hash: `v2-${hash}` });
    expect((await hosted(done.original_src)).equals(BLUE)).toBe(true);
    // The same bytes again need no upload; another account cannot read this ticket.
    expect(((await as('bob')('POST', '/images', { image_hash: hash })).json as typeof ticket).upload_file.state).toBe(1);
    expect((await as('bob')('GET', `/images/${ticket.upload_file.image_id}`)).status).toBe(404);
  });

  it('refuses a malformed hash and fails while the fault is on', async () => {
    expect((await as('alice')('POST', '/images', { image_hash: 'nope' })).status).toBe(400);
    await anon()('POST', '/__sandbox/faults', { kind: 'image-upload-failed', times: 1 });
    expect((await as('alice')('POST', '/images', { image_hash: md5(RED) })).status).toBe(500);
    expect((await anon()('GET', `/v2-${md5(RED)}.png`)).status).toBe(404);
  });
});
