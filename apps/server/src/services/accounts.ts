/**
 * Platform accounts. Cookies are sealed (AES-256-GCM) before they reach MongoDB and never come
 * back out of the server. `verify` asks a worker for the login check through the shared queue and
 * waits for the answer the worker writes onto the account (`checkRequest` names the request).
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { CookieParseError, parseLoginCookies, type AccountView, type ColumnView, type CreateAccountInput } from '@zpub/shared';
import type { AccountDoc, Models, SecretBox, VerifyJobData } from '@zpub/shared/node';
import { TRPCError } from '@trpc/server';
import type BeeQueue from 'bee-queue';
import { Types } from 'mongoose';
import { AppError, fieldRefusal } from '../errors';

const CACHE_MS = 3000;
/** How long `verify` waits for a worker's answer; the check still runs and records it later. */
export const VERIFY_WAIT_MS = 45_000;
const VERIFY_POLL_MS = 250;

export interface AccountMeta {
  id: string;
  userId: string;
  platform: AccountDoc['platform'];
  state: AccountDoc['state'];
}

export class AccountDirectory {
  private readonly cache = new Map<string, { meta: AccountMeta | null; until: number }>();
  private readonly reading = new Map<string, Promise<AccountMeta | null>>();

  constructor(
    private readonly models: Models,
    private readonly box: SecretBox,
  ) {}

  /**
   * The account as MongoDB has it now. The dispatcher asks this before every dispatch, because a
   * worker may have just marked the account expired (a read by _id; the cache would be seconds late).
   */
  async get(id: string): Promise<AccountMeta | null> {
    const doc = Types.ObjectId.isValid(id) ? await this.models.Account.findById(id).select('userId platform state').lean() : null;
    const meta = doc ? { id, userId: doc.userId.toString(), platform: doc.platform, state: doc.state } : null;
    this.cache.set(id, { meta, until: Date.now() + CACHE_MS });
    return meta;
  }

  /**
   * Who owns the account and its platform, which never change: a few seconds of cache is fine.
   * Requests that find the entry expired together share one read (at full load every expiry
   * sent a handful).
   */
  private async cached(id: string): Promise<AccountMeta | null> {
    const hit = this.cache.get(id);
    if (hit && hit.until > Date.now()) return hit.meta;
    const pending = this.reading.get(id);
    if (pending) return pending;
    const read = this.get(id).finally(() => {
      if (this.reading.get(id) === read) this.reading.delete(id);
    });
    this.reading.set(id, read);
    return read;
  }

  private seal(cookies: string): string {
    return sealCookies(this.box, cookies);
  }

  forget(id: string): void {
    this.cache.delete(id);
    this.reading.delete(id);
  }

  /** The account if it belongs to the user; anyone else's is simply not found. */
  async owned(userId: string, id: string): Promise<AccountMeta> {
    const meta = await this.cached(id);
    if (!meta || meta.userId !== userId) throw new TRPCError({ code: 'NOT_FOUND', message: 'No such account' });
    return meta;
  }

  async create(userId: string, input: CreateAccountInput): Promise<AccountView> {
    const now = new Date();
    const doc = await this.models.Account.create({
      userId: new Types.ObjectId(userId),
      platform: input.platform,
      name: input.name,
      cookiesSealed: this.seal(input.cookies),
      state: 'unverified',
      createdAt: now,
      updatedAt: now,
    });
    return toAccountView(doc.toObject());
  }

  /** Fresh cookies for an account whose login expired: it is unverified again, its tasks can run. */
  async updateCookies(userId: string, id: string, cookies: string): Promise<AccountView> {
    await this.owned(userId, id);
    const sealed = this.seal(cookies);
    // Update, then read: FerretDB's findAndModify cannot leave the sealed cookies out of its answer.
    await this.models.Account.updateOne(
      { _id: new Types.ObjectId(id) },
      { $set: { cookiesSealed: sealed, state: 'unverified', updatedAt: new Date() }, $unset: { stateReason: '', checkError: '' } },
    );
    this.forget(id);
    const doc = await this.models.Account.findById(id).select('-cookiesSealed').lean();
    if (!doc) throw new TRPCError({ code: 'NOT_FOUND', message: 'No such account' });
    return toAccountView(doc);
  }

  /**
   * The login check, run by a worker in a browser with the account's cookies: records the Zhihu
   * name and url_token (active) or that the login is gone (expired), and returns the account.
   * Waits up to VERIFY_WAIT_MS; without an answer by then it says so, and the state changes
   * whenever a worker gets to the check.
   */
  async verify(userId: string, id: string, queue: BeeQueue, waitMs = VERIFY_WAIT_MS): Promise<AccountView> {
    await this.owned(userId, id);
    const requestId = randomUUID();
    const data: VerifyJobData = { kind: 'verify', accountId: id, requestId };
    await queue.createJob(data).setId(`verify-${id}-${requestId}`).retries(0).timeout(60_000).save();
    const deadline = Date.now() + waitMs;
    while (Date.now() < deadline) {
      await sleep(VERIFY_POLL_MS);
      const doc = await this.models.Account.findById(id).select('-cookiesSealed').lean();
      if (!doc) throw new TRPCError({ code: 'NOT_FOUND', message: 'No such account' });
      if (doc.checkRequest !== requestId) continue;
      this.forget(id);
      if (doc.checkError) throw new AppError('BAD_GATEWAY', `The login check could not decide: ${doc.checkError}`, 'CHECK_UNDECIDED');
      return toAccountView(doc);
    }
    throw new AppError(
      'SERVICE_UNAVAILABLE',
      `No worker ran the login check within ${Math.round(waitMs / 1000)} s (are workers running and free?). The check stays queued; the account's state changes when it runs.`,
      'CHECK_PENDING',
    );
  }

  /**
   * The columns the account's last login check found on Zhihu, read fresh (a check may have just
   * refreshed them); undefined when no check has read them yet.
   */
  async columnsOf(id: string): Promise<ColumnView[] | undefined> {
    const doc = await this.models.Account.findById(id).select('columns').lean();
    return doc ? columnsView(doc.columns) : undefined;
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

/** Parses a `Cookie:` header or a JSON export, insists on the login cookie, and seals the lot. */
function sealCookies(box: SecretBox, input: string): string {
  try {
    return box.seal(JSON.stringify(parseLoginCookies(input)));
  } catch (e) {
    if (e instanceof CookieParseError) throw fieldRefusal('cookies', e.message, 'COOKIES_INVALID');
    throw e;
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
    columns: columnsView(doc.columns),
    createdAt: doc.createdAt.toISOString(),
  };
}

function columnsView(columns: AccountDoc['columns'] | null | undefined): ColumnView[] | undefined {
  if (!columns) return undefined;
  return columns.flatMap((c) => (c.id ? [{ id: c.id, title: c.title ?? c.id }] : []));
}
