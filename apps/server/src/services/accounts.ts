/**
 * Platform accounts. Cookies are sealed (AES-256-GCM) before they reach MongoDB and never come
 * back out of the server; the directory caches what the dispatcher needs to know about each.
 */
import { CookieParseError, parseLoginCookies, type AccountView, type CreateAccountInput } from '@zpub/shared';
import type { AccountDoc, Models, SecretBox } from '@zpub/shared/node';
import { TRPCError } from '@trpc/server';
import { Types } from 'mongoose';

const CACHE_MS = 3000;

export interface AccountMeta {
  id: string;
  userId: string;
  platform: AccountDoc['platform'];
  state: AccountDoc['state'];
}

export class AccountDirectory {
  private readonly cache = new Map<string, { meta: AccountMeta | null; until: number }>();

  constructor(
    private readonly models: Models,
    private readonly box: SecretBox,
  ) {}

  async get(id: string): Promise<AccountMeta | null> {
    const hit = this.cache.get(id);
    if (hit && hit.until > Date.now()) return hit.meta;
    const doc = Types.ObjectId.isValid(id) ? await this.models.Account.findById(id).select('userId platform state').lean() : null;
    const meta = doc ? { id, userId: doc.userId.toString(), platform: doc.platform, state: doc.state } : null;
    this.cache.set(id, { meta, until: Date.now() + CACHE_MS });
    return meta;
  }

  forget(id: string): void {
    this.cache.delete(id);
  }

  /** The account if it belongs to the user; anyone else's is simply not found. */
  async owned(userId: string, id: string): Promise<AccountMeta> {
    const meta = await this.get(id);
    if (!meta || meta.userId !== userId) throw new TRPCError({ code: 'NOT_FOUND', message: 'No such account' });
    return meta;
  }

  async create(userId: string, input: CreateAccountInput): Promise<AccountView> {
    let cookies;
    try {
      cookies = parseLoginCookies(input.cookies);
    } catch (e) {
      if (e instanceof CookieParseError) throw new TRPCError({ code: 'BAD_REQUEST', message: e.message });
      throw e;
    }
    const now = new Date();
    const doc = await this.models.Account.create({
      userId: new Types.ObjectId(userId),
      platform: input.platform,
      name: input.name,
      cookiesSealed: this.box.seal(JSON.stringify(cookies)),
      state: 'unverified',
      createdAt: now,
      updatedAt: now,
    });
    return toAccountView(doc.toObject());
  }

  async list(userId: string): Promise<AccountView[]> {
    const docs = await this.models.Account.find({ userId: new Types.ObjectId(userId) }).select('-cookiesSealed').sort({ createdAt: 1 }).lean();
    return docs.map(toAccountView);
  }

  async remove(userId: string, id: string): Promise<void> {
    await this.owned(userId, id);
    await this.models.Account.deleteOne({ _id: new Types.ObjectId(id) });
    this.forget(id);
  }
}

export function toAccountView(doc: Omit<AccountDoc, 'cookiesSealed'> & { cookiesSealed?: string }): AccountView {
  return {
    id: doc._id.toString(),
    platform: doc.platform,
    name: doc.name,
    state: doc.state,
    zhihuName: doc.zhihuName ?? undefined,
    urlToken: doc.urlToken ?? undefined,
    verifiedAt: doc.verifiedAt?.toISOString(),
    createdAt: doc.createdAt.toISOString(),
  };
}
