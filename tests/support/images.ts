/** Images for the suites: small real PNGs, a web server that serves them, and uploaded assets. */
import { createHash } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { assetPath } from '@zpub/shared';
import mongoose from 'mongoose';

/** Three distinct 1x1 PNGs (orange, blue, green): distinct bytes, distinct MD5s. */
export const PNG = {
  orange: Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGN4FiACAANqAUtdHURSAAAAAElFTkSuQmCC', 'base64'),
  blue: Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGMQqXgGAAIWAXPzjgjsAAAAAElFTkSuQmCC', 'base64'),
  green: Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGPQOBEFAAJmAUtMKhSdAAAAAElFTkSuQmCC', 'base64'),
} as const;

export const md5 = (bytes: Buffer) => createHash('md5').update(bytes).digest('hex');

export interface ImageServer {
  url: string;
  close(): Promise<void>;
}

/** A web server for "remote" images: `/<name>.png` for each PNG above. */
export async function serveImages(): Promise<ImageServer> {
  const server = createServer((req, res) => {
    const name = /^\/(\w+)\.png$/.exec(req.url ?? '')?.[1] as keyof typeof PNG | undefined;
    const bytes = name ? PNG[name] : undefined;
    if (bytes) res.writeHead(200, { 'Content-Type': 'image/png' }).end(bytes);
    else res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** Stores an image the user uploaded (the Asset model's shape) and returns how Markdown names it. */
export async function insertAsset(db: mongoose.Connection, userId: string, bytes: Buffer, mime = 'image/png'): Promise<string> {
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  await db.collection<{ _id: string }>('assets').updateOne(
    { _id: `${userId}:${sha256}` },
    { $set: { userId: new mongoose.Types.ObjectId(userId), sha256, mime, size: bytes.length, data: bytes, createdAt: new Date() } },
    { upsert: true },
  );
  return assetPath(sha256);
}
