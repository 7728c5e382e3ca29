/** `zpub accounts`: the accounts the token's user publishes with, and finding one by name. */
import type { AccountView } from '@zpub/shared';
import { failure } from '../client';
import { CliError, EXIT, type ExitCode } from '../errors';
import { t } from '../i18n';
import { displayWidth } from '../width';
import type { Context } from './context';

async function list(ctx: Context): Promise<AccountView[]> {
  return ctx.server.api.account.list.query().catch((err: unknown) => {
    throw failure(err, ctx.server.url);
  });
}

export async function accounts(ctx: Context): Promise<ExitCode> {
  const all = await list(ctx);
  if (all.length === 0) {
    ctx.out(t.noAccounts(ctx.server.url));
    return EXIT.ok;
  }
  const rows = all.map((a) => [a.name, a.platform, t.accountState(a.state), a.zhihuName ?? '', a.columns?.map((c) => c.id).join(',') ?? '', a.id]);
  table(ctx, t.accountHead, rows);
  return EXIT.ok;
}

/** An account by its name (or id); a name nobody has is answered with the names there are. */
export async function findAccount(ctx: Context, nameOrId: string): Promise<AccountView> {
  const all = await list(ctx);
  const byId = all.find((a) => a.id === nameOrId);
  if (byId) return byId;
  const named = all.filter((a) => a.name === nameOrId);
  if (named.length > 1) throw new CliError(t.sameName(named.length, nameOrId, named.map((a) => a.id).join(', ')), EXIT.usage);
  const [account] = named;
  if (account) return account;
  throw new CliError(
    t.noAccount(
      nameOrId,
      all.map((a) => a.name),
      ctx.server.url,
    ),
    EXIT.failed,
  );
}

/** Columns padded to their widest cell. */
export function table(ctx: Context, head: string[], rows: string[][]): void {
  const widths = head.map((h, i) => Math.max(displayWidth(h), ...rows.map((r) => displayWidth(r[i] ?? ''))));
  const line = (cells: string[]) => cells.map((c, i) => c + ' '.repeat(Math.max(0, (widths[i] ?? 0) - displayWidth(c)))).join('  ').trimEnd();
  ctx.out(line(head));
  for (const r of rows) ctx.out(line(r));
}
