/** Images for the suites: real PNGs drawn on demand or fixed, a web server for "remote" images, and uploaded assets. */
import { createHash } from 'node:crypto';
import { crc32, deflateSync } from 'node:zlib';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

function chunk(type: string, data: Buffer): Buffer {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'ascii');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])) >>> 0, 0);
  return Buffer.concat([head, data, crc]);
}

/** A valid PNG of one colour; different colours or sizes give different bytes (and SHA-256). */
export function png(width: number, height: number, rgb: [number, number, number]): Buffer {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(width, 0);
  ihdr.writeUInt32BE(height, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 2; // truecolour
  const row = Buffer.concat([Buffer.from([0]), Buffer.from(Array.from({ length: width }, () => rgb).flat())]);
  const raw = Buffer.concat(Array.from({ length: height }, () => row));
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw)),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

export const GIF_1X1 = Buffer.from('R0lGODlhAQABAIAAAP///wAAACH5BAEAAAAALAAAAAABAAEAAAICRAEAOw==', 'base64');
export const WEBP_1X1 = Buffer.from('UklGRhoAAABXRUJQVlA4TA0AAAAvAAAAEAcQERGIiP4HAA==', 'base64');

export function sha256(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

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
