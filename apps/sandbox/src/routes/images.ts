import { z } from 'zod';
import type { RequestContext, SandboxState } from '../context.js';
import { HttpError, parseWith, readBytes, readForm, readJson, sendJson, sendRaw } from '../http.js';
import { ImageError, MAX_IMAGE_BYTES } from '../images.js';
import { route, type Route } from '../router.js';
import { ERR } from '../zhihu-errors.js';

// Images onto the sandbox's image host, the two ways Wechatsync's Zhihu adapter uses:
//  - a remote image: POST {zhuanlan}/api/uploaded_images (form `url`, `source=article`) -> { src };
//  - a local file: POST {api}/images { image_hash: md5, source } -> upload ticket; PUT the bytes to
//    {upload}/<object_key} signed with the ticket (Aliyun OSS V1); GET {api}/images/<id> -> src.
// The hosted image is then GET /v2-<md5>.<ext>, the sandbox's stand-in for pic*.zhimg.com.

const HASH = '([0-9a-f]{32})';
const ticketBodySchema = z.object({ image_hash: z.string().regex(/^[0-9a-f]{32}$/, 'must be the MD5 of the image, in hex'), source: z.string().max(40).optional() });

export function imageRoutes(s: SandboxState): Route[] {
  /** Login, then the `image-upload-failed` fault, then Zhihu's time: what every upload call starts with. */
  async function begin(ctx: RequestContext): Promise<string> {
    const account = s.requireAccount(ctx);
    await s.wait(s.config.delayMs);
    if (s.faults.take('image-upload-failed', account)) throw new HttpError(500, { error: ERR.imageUpload });
    return account;
  }

  const refused = (error: unknown): never => {
    if (error instanceof ImageError) throw new HttpError(400, { error: { ...ERR.imageUpload, reason: error.message } });
    throw error;
  };

  return [
    route('POST', '/api/uploaded_images', async (ctx) => {
      await begin(ctx);
      const form = await readForm(ctx.req);
      const url = form.get('url') ?? '';
      const image = await s.images.fetchRemote(url).catch(refused);
      sendJson(ctx.res, 200, { src: s.images.url(ctx.origin, image), hash: image.hash });
    }),
    route('POST', '/images', async (ctx) => {
      const account = await begin(ctx);
      const body = parseWith(ticketBodySchema, await readJson(ctx.req));
      const { state, ticket } = s.images.ticket(account, body.image_hash);
      sendJson(ctx.res, 200, {
        upload_file: { state, image_id: ticket.imageId, object_key: ticket.objectKey },
        upload_token: { access_id: ticket.accessId, access_key: ticket.accessKey, access_token: ticket.accessToken, access_timestamp: Date.now() },
      });
    }),
    route('PUT', new RegExp(`^/(v2-${HASH})$`), async (ctx, [objectKey = '']) => {
      const bytes = await readBytes(ctx.req, MAX_IMAGE_BYTES);
      const header = (name: string) => {
        const v = ctx.req.headers[name];
        return Array.isArray(v) ? v[0] : v;
      };
      try {
        const image = s.images.acceptUpload(
          objectKey,
          {
            authorization: header('authorization'),
            'content-type': header('content-type'),
            'x-oss-date': header('x-oss-date'),
            'x-oss-security-token': header('x-oss-security-token'),
            'x-oss-user-agent': header('x-oss-user-agent'),
          },
          bytes,
        );
        sendRaw(ctx.res, 200, 'text/plain', '', { ETag: `"${image.hash.toUpperCase()}"` });
      } catch (error) {
        if (error instanceof ImageError) throw new HttpError(403, { error: { ...ERR.ossSignature, reason: error.message } });
        throw error;
      }
    }),
    route('GET', /^\/images\/(\d{1,20})$/, (ctx, [imageId = '']) => {
      const account = s.requireAccount(ctx);
      const ticket = s.images.ticketById(imageId);
      if (!ticket || ticket.owner !== account) throw new HttpError(404, { error: ERR.notFound });
      const image = s.images.get(ticket.hash);
      if (!image) return sendJson(ctx.res, 200, { status: 'processing', src: '', original_hash: ticket.objectKey });
      const src = s.images.url(ctx.origin, image);
      sendJson(ctx.res, 200, {
        status: 'success',
        src,
        original_src: src,
        original_hash: ticket.objectKey,
        watermark: 'original',
        watermark_src: src,
        watermark_hash: ticket.objectKey,
      });
    }),
    route('GET', new RegExp(`^/v2-${HASH}(?:\\.(?:png|jpg|gif|webp))?$`), (ctx, [hash = '']) => {
      const image = s.images.get(hash);
      if (!image) throw new HttpError(404, { error: ERR.notFound });
      sendRaw(ctx.res, 200, image.mime, image.bytes, { 'Cache-Control': 'public, max-age=31536000, immutable' });
    }),
  ];
}
