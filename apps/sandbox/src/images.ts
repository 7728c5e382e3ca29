import { createHash, createHmac, randomBytes } from 'node:crypto';

// The sandbox's stand-in for Zhihu's image host (pic*.zhimg.com) and its upload path. Images are
// named by the MD5 of their bytes, as Zhihu's `v2-<md5>` object keys are. A local file goes
// through an upload ticket (`POST api.zhihu.com/images`), an Aliyun OSS PUT signed with the
// ticket's key, and a status poll; a remote image is fetched by the host itself. Memory only.

export const MAX_IMAGE_BYTES = 10 * 1024 * 1024;
const REMOTE_TIMEOUT_MS = 10_000;
/** The OSS bucket the signature names (Wechatsync: "bucket 名是 zhihu-pics"). */
const BUCKET = 'zhihu-pics';

export interface HostedImage {
  hash: string;
  mime: string;
  bytes: Buffer;
}

export interface UploadTicket {
  imageId: string;
  owner: string;
  hash: string;
  objectKey: string;
  accessId: string;
  accessKey: string;
  accessToken: string;
}

const EXTENSIONS: Record<string, string> = { 'image/png': 'png', 'image/jpeg': 'jpg', 'image/gif': 'gif', 'image/webp': 'webp' };

/** The image type the bytes are, by their signature; null for anything that is not an image. */
export function sniffImage(bytes: Buffer): string | null {
  if (bytes.length >= 8 && bytes.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return 'image/png';
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'image/jpeg';
  if (bytes.length >= 6 && /^GIF8[79]a$/.test(bytes.subarray(0, 6).toString('latin1'))) return 'image/gif';
  if (bytes.length >= 12 && bytes.subarray(0, 4).toString('latin1') === 'RIFF' && bytes.subarray(8, 12).toString('latin1') === 'WEBP') return 'image/webp';
  return null;
}

export function md5(bytes: Buffer): string {
  return createHash('md5').update(bytes).digest('hex');
}

/** Aliyun OSS V1 string-to-sign for the PUT, as Wechatsync and zhihu_obsidian build it. */
export function ossStringToSign(p: { contentType: string; date: string; token: string; userAgent: string; objectKey: string }): string {
  return `PUT\n\n${p.contentType}\n${p.date}\nx-oss-date:${p.date}\nx-oss-security-token:${p.token}\nx-oss-user-agent:${p.userAgent}\n/${BUCKET}/${p.objectKey}`;
}

export function ossSignature(accessKey: string, stringToSign: string): string {
  return createHmac('sha1', accessKey).update(stringToSign).digest('base64');
}

export class ImageError extends Error {
  override name = 'ImageError';
}

export class ImageHost {
  #images = new Map<string, HostedImage>();
  #tickets = new Map<string, UploadTicket>();
  #nextId = 1n;

  /** Keeps bytes that are an image; the same bytes are one image. */
  store(bytes: Buffer): HostedImage {
    if (bytes.length === 0 || bytes.length > MAX_IMAGE_BYTES) throw new ImageError(`an image must hold 1 to ${MAX_IMAGE_BYTES} bytes`);
    const mime = sniffImage(bytes);
    if (!mime) throw new ImageError('not a PNG, JPEG, GIF or WebP image');
    const hash = md5(bytes);
    const image = this.#images.get(hash) ?? { hash, mime, bytes };
    this.#images.set(hash, image);
    return image;
  }

  get(hash: string): HostedImage | undefined {
    return this.#images.get(hash);
  }

  url(origin: string, image: HostedImage): string {
    return `${origin}/v2-${image.hash}.${EXTENSIONS[image.mime] ?? 'png'}`;
  }

  /** `uploaded_images`: Zhihu fetches a remote image itself and hosts a copy. */
  async fetchRemote(url: string): Promise<HostedImage> {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new ImageError('not a URL');
    }
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new ImageError('only http(s) images can be fetched');
    const res = await fetch(parsed, { redirect: 'follow', signal: AbortSignal.timeout(REMOTE_TIMEOUT_MS) }).catch((error: unknown) => {
      throw new ImageError(`the image could not be fetched (${(error as Error).message})`);
    });
    if (!res.ok) throw new ImageError(`the image answered HTTP ${res.status}`);
    const declared = Number(res.headers.get('content-length') ?? '0');
    if (declared > MAX_IMAGE_BYTES) throw new ImageError('the image is too large');
    return this.store(Buffer.from(await res.arrayBuffer()));
  }

  /** `POST api.zhihu.com/images`: state 1 = already hosted, 2 = upload the bytes with this ticket. */
  ticket(owner: string, hash: string): { state: 1 | 2; ticket: UploadTicket } {
    const ticket: UploadTicket = {
      imageId: String(this.#nextId++ + 1_000_000_000n),
      owner,
      hash,
      objectKey: `v2-${hash}`,
      accessId: `STS.${randomBytes(8).toString('hex')}`,
      accessKey: randomBytes(16).toString('base64'),
      accessToken: randomBytes(24).toString('base64'),
    };
    this.#tickets.set(ticket.imageId, ticket);
    return { state: this.#images.has(hash) ? 1 : 2, ticket };
  }

  ticketById(imageId: string): UploadTicket | undefined {
    return this.#tickets.get(imageId);
  }

  /** The OSS PUT: the signature must be the ticket's and the bytes must have the ticket's hash. */
  acceptUpload(objectKey: string, headers: Record<string, string | undefined>, bytes: Buffer): HostedImage {
    const ticket = [...this.#tickets.values()].find((t) => t.objectKey === objectKey && t.accessToken === headers['x-oss-security-token']);
    if (!ticket) throw new ImageError('no upload ticket for this object and token');
    const date = headers['x-oss-date'] ?? '';
    const expected = ossSignature(
      ticket.accessKey,
      ossStringToSign({
        contentType: headers['content-type'] ?? '',
        date,
        token: ticket.accessToken,
        userAgent: headers['x-oss-user-agent'] ?? '',
        objectKey,
      }),
    );
    if (headers.authorization !== `OSS ${ticket.accessId}:${expected}`) throw new ImageError('signature mismatch');
    if (md5(bytes) !== ticket.hash) throw new ImageError('the bytes do not have the hash the ticket was issued for');
    return this.store(bytes);
  }

  clear(): void {
    this.#images.clear();
    this.#tickets.clear();
  }
}
