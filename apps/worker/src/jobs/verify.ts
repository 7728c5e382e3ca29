/**
 * The `verify` job kind: runs the login check for one account in a browser context of its own and
 * records who the cookies log in as (active), with the columns it can publish to, or that they no
 * longer do (expired). The server waits for `checkRequest` to name its request; a check that
 * cannot decide leaves the state alone.
 */
import type { ColumnView, ParsedCookie } from '@zpub/shared';
import type { Logger, Models, SecretBox, VerifyJobData } from '@zpub/shared/node';
import type BeeQueue from 'bee-queue';
import type { Types } from 'mongoose';
import { readColumns } from '../adapters/zhihu/columns';
import { loginCheck, setAccountCookies, type Me, type Origins } from '../adapters/zhihu/session';
import { PublishError, advise } from '../errors';
import type { BrowserRunner } from '../browser/runner';

export function isVerifyJob(data: unknown): data is VerifyJobData {
  return typeof data === 'object' && data !== null && (data as { kind?: unknown }).kind === 'verify';
}

export interface VerifyDeps {
  models: Models;
  box: SecretBox;
  browser: BrowserRunner;
  origins: (platform: string) => Origins;
  log: Logger;
}

export async function handleVerify(job: BeeQueue.Job<VerifyJobData>, d: VerifyDeps): Promise<void> {
  const { accountId, requestId } = job.data;
  const log = d.log.child({ accountId, job: 'verify' });
  const account = await d.models.Account.findById(accountId).lean();
  if (!account) return;
  const answer = (change: AccountChange | null, checkError?: string) =>
    markAccount(d.models, account._id, change, { requestId, ...(checkError ? { checkError } : {}) });

  let cookies: ParsedCookie[];
  try {
    cookies = JSON.parse(d.box.open(account.cookiesSealed)) as ParsedCookie[];
  } catch {
    return answer({ state: 'expired', reason: advise('LOGIN_EXPIRED', 'The stored cookies of this account cannot be read') });
  }
  const origins = d.origins(account.platform);
  try {
    const { me, columns } = await d.browser.run(async (page) => {
      page.on('error', () => void page.browserContext().close().catch(() => undefined));
      await setAccountCookies(page, origins, cookies);
      const who = await loginCheck(page, origins);
      // The login decides the check; columns that cannot be read now keep their last known list.
      const found = await readColumns(page, origins, who.urlToken).catch((err: unknown) => {
        log.warn({ err: (err as Error).message }, 'login check: columns not read');
        return undefined;
      });
      return { me: who, columns: found };
    });
    log.info({ urlToken: me.urlToken, columns: columns?.length }, 'login check: logged in');
    await answer({ state: 'active', me, ...(columns ? { columns } : {}) });
  } catch (err) {
    if (err instanceof PublishError && err.code === 'LOGIN_EXPIRED') {
      log.info('login check: logged out');
      return answer({ state: 'expired', reason: err.message });
    }
    const message = err instanceof PublishError ? err.message : advise('PUBLISH_TIMEOUT', `The login check could not run (${(err as Error)?.message ?? String(err)})`);
    log.warn({ err: (err as Error)?.message }, 'login check undecided');
    await answer(null, message);
  }
}

export type AccountChange = { state: 'active'; me: Me | null; columns?: ColumnView[] } | { state: 'expired'; reason: string };

/** What a login check learned about an account; `check` answers the `account.verify` waiting for it. */
export async function markAccount(
  models: Models,
  id: Types.ObjectId,
  change: AccountChange | null,
  check?: { requestId: string; checkError?: string },
): Promise<void> {
  const now = new Date();
  const set: Record<string, unknown> = { updatedAt: now };
  const unset: Record<string, ''> = {};
  if (change?.state === 'active') {
    set.state = 'active';
    unset.stateReason = '';
    if (change.me) {
      set.zhihuName = change.me.name;
      set.urlToken = change.me.urlToken;
      set.verifiedAt = now;
    }
    if (change.columns) set.columns = change.columns;
  }
  if (change?.state === 'expired') {
    set.state = 'expired';
    set.stateReason = change.reason;
  }
  if (check) {
    set.checkRequest = check.requestId;
    set.checkedAt = now;
    if (check.checkError) set.checkError = check.checkError;
    else unset.checkError = '';
  }
  const update = Object.keys(unset).length > 0 ? { $set: set, $unset: unset } : { $set: set };
  await models.Account.updateOne({ _id: id }, update).catch(() => undefined);
}
