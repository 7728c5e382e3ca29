/**
 * 账号: the platform accounts. A sandbox account needs only a name (its cookie is
 * `z_c0=sandbox-<name percent-encoded>`); a Zhihu account needs the cookies pasted, checked here before they
 * are sent. The paste is cleared once sent and never shown again.
 */
import { LIMITS, type AccountView, type Parts } from '@zpub/shared';
import { createSignal, For, Show } from 'solid-js';
import { PartsText } from '../components/note-text';
import { PageMessages } from '../components/page-messages';
import { t } from '../i18n';
import { useApp } from '../lib/app-context';
import { formatTime } from '../lib/datetime';
import { cookieProblem, nameProblem, sandboxCookie } from '../lib/account-checks';
import { report } from '../lib/session';
import { api } from '../lib/trpc';

export function Accounts() {
  const app = useApp();
  const [notice, setNotice] = createSignal<Parts | string>('');
  const [error, setError] = createSignal('');

  return (
    <section class="page accounts-page" aria-labelledby="accounts-h">
      <h1 id="accounts-h">{t.accounts.title}</h1>
      <p class="muted">{t.accounts.intro}</p>
      <PageMessages notice={notice()} error={error()} testid="account" />

      <div class="card">
        <Show when={app.accounts.state.list.length > 0} fallback={<p class="muted" data-testid="accounts-empty">{app.accounts.state.loaded ? t.accounts.empty : t.app.loading}</p>}>
          <table class="table stack" data-testid="account-list">
            <thead>
              <tr>
                <th scope="col">{t.accounts.name}</th>
                <th scope="col">{t.accounts.platform}</th>
                <th scope="col">{t.accounts.state}</th>
                <th scope="col">{t.accounts.zhihuName}</th>
                <th scope="col">{t.accounts.createdAt}</th>
                <th scope="col">{t.accounts.actions}</th>
              </tr>
            </thead>
            <tbody>
              <For each={app.accounts.state.list}>
                {(account) => (
                  <AccountRow
                    account={account}
                    onNotice={(msg) => {
                      setError('');
                      setNotice(msg);
                    }}
                    onRemoved={(name) => {
                      setError('');
                      setNotice(t.accounts.removed(name));
                    }}
                    onError={(msg) => {
                      setNotice('');
                      setError(msg);
                    }}
                  />
                )}
              </For>
            </tbody>
          </table>
        </Show>
      </div>

      <div class="accounts-forms">
        <AddAccountForm
          platform="sandbox"
          onAdded={(name) => {
            setError('');
            setNotice(t.accounts.added(name));
          }}
        />
        <AddAccountForm
          platform="zhihu"
          onAdded={(name) => {
            setError('');
            setNotice(t.accounts.added(name));
          }}
        />
      </div>
    </section>
  );
}

function AccountRow(props: { account: AccountView; onRemoved: (name: string) => void; onError: (msg: string) => void; onNotice: (msg: Parts | string) => void }) {
  const app = useApp();
  const [confirming, setConfirming] = createSignal(false);
  const [busy, setBusy] = createSignal<'' | 'remove' | 'verify' | 'cookies'>('');
  const [editing, setEditing] = createSignal(false);
  const [paste, setPaste] = createSignal('');
  const [pasteError, setPasteError] = createSignal('');
  const isZhihu = () => props.account.platform === 'zhihu';
  const formId = () => `cookies-${props.account.id}`;

  async function remove(): Promise<void> {
    setBusy('remove');
    const name = props.account.name;
    try {
      await api.account.remove.mutate({ id: props.account.id });
      await app.accounts.refresh();
      props.onRemoved(name);
    } catch (err) {
      props.onError(report(err).message);
    } finally {
      setBusy('');
      setConfirming(false);
    }
  }

  async function verify(): Promise<void> {
    setBusy('verify');
    const name = props.account.name;
    try {
      const account = await api.account.verify.mutate({ id: props.account.id });
      await app.accounts.refresh();
      props.onNotice(t.accounts.verified(name, t.accounts.states[account.state]));
    } catch (err) {
      const p = report(err);
      props.onError(p.appCode === 'CHECK_PENDING' ? t.accounts.checkPending : p.appCode === 'CHECK_UNDECIDED' ? t.accounts.checkUndecided : p.message);
      await app.accounts.refresh();
    } finally {
      setBusy('');
    }
  }

  async function saveCookies(ev: SubmitEvent): Promise<void> {
    ev.preventDefault();
    const problem = cookieProblem(paste());
    setPasteError(problem ?? '');
    if (problem) return;
    setBusy('cookies');
    const name = props.account.name;
    try {
      await api.account.updateCookies.mutate({ id: props.account.id, cookies: paste() });
      setPaste('');
      setEditing(false);
      await app.accounts.refresh();
      props.onNotice(t.accounts.cookiesUpdated(name));
    } catch (err) {
      const p = report(err);
      // Never show the pasted cookies back, even inside a message.
      setPasteError(p.code === 'BAD_REQUEST' ? t.accounts.cookieInvalid : p.message);
    } finally {
      setBusy('');
    }
  }

  return (
    <>
      <tr data-testid="account-row" data-account-id={props.account.id} data-state={props.account.state} data-platform={props.account.platform}>
        <td data-testid="account-name" data-label={t.accounts.name} translate="no">
          {props.account.name}
        </td>
        <td data-label={t.accounts.platform}>{t.accounts.platforms[props.account.platform] ?? props.account.platform}</td>
        <td data-label={t.accounts.state}>
          <span class={`badge account-${props.account.state}`} data-testid="account-state">
            {t.accounts.states[props.account.state]}
          </span>
          <Show when={t.accounts.stateHint[props.account.state]}>
            <p class="muted small hint" data-testid={`account-hint-${props.account.state}`}>
              {t.accounts.stateHint[props.account.state]}
            </p>
          </Show>
        </td>
        <td data-label={t.accounts.zhihuName} translate={props.account.zhihuName ? 'no' : undefined}>
          {props.account.zhihuName ?? '—'}
        </td>
        <td class="small" data-label={t.accounts.createdAt}>
          {formatTime(props.account.createdAt)}
        </td>
        <td data-label={t.accounts.actions}>
          <div class="row-inline">
            <button type="button" class="small secondary" data-testid="account-verify" disabled={busy() !== ''} onClick={() => void verify()}>
              {busy() === 'verify' ? t.accounts.verifying : t.accounts.verify}
            </button>
            <Show when={isZhihu()}>
              <button
                type="button"
                class="small secondary"
                data-testid="account-update-cookies"
                aria-expanded={editing()}
                aria-controls={formId()}
                onClick={() => setEditing(!editing())}
              >
                {t.accounts.updateCookies}
              </button>
            </Show>
            <Show
              when={confirming()}
              fallback={
                <button type="button" class="small secondary" data-testid="account-remove" disabled={busy() !== ''} onClick={() => setConfirming(true)}>
                  {t.accounts.remove}
                </button>
              }
            >
              <button type="button" class="small danger" data-testid="account-remove-confirm" disabled={busy() !== ''} onClick={() => void remove()}>
                {t.accounts.confirmRemove}
              </button>
              <button type="button" class="small link" onClick={() => setConfirming(false)}>
                {t.app.cancel}
              </button>
            </Show>
          </div>
        </td>
      </tr>
      <Show when={editing()}>
        <tr class="subrow">
          <td colSpan={6}>
            <form id={formId()} onSubmit={(e) => void saveCookies(e)} novalidate data-testid="account-cookies-form">
              <label for={`${formId()}-input`}>
                <PartsText parts={t.accounts.updateCookiesTitle(props.account.name)} />
              </label>
              <textarea
                id={`${formId()}-input`}
                data-testid="account-cookies-input"
                class="mono"
                rows={3}
                spellcheck={false}
                autocomplete="off"
                placeholder={t.accounts.cookiesPlaceholder}
                value={paste()}
                onInput={(e) => setPaste(e.currentTarget.value)}
                aria-invalid={pasteError() ? 'true' : undefined}
              />
              <Show when={pasteError()}>
                <p class="field-error" data-testid="account-cookies-error">
                  {pasteError()}
                </p>
              </Show>
              <div class="actions">
                <button type="submit" class="primary small" data-testid="account-cookies-save" disabled={busy() !== ''}>
                  {t.accounts.saveCookies}
                </button>
                <button type="button" class="link small" onClick={() => setEditing(false)}>
                  {t.app.cancel}
                </button>
              </div>
            </form>
          </td>
        </tr>
      </Show>
    </>
  );
}

function AddAccountForm(props: { platform: 'sandbox' | 'zhihu'; onAdded: (name: string) => void }) {
  const app = useApp();
  const [name, setName] = createSignal('');
  const [cookies, setCookies] = createSignal('');
  const [fields, setFields] = createSignal<Record<string, string>>({});
  const [error, setError] = createSignal('');
  const [busy, setBusy] = createSignal(false);
  const prefix = () => (props.platform === 'sandbox' ? 'sandbox' : 'zhihu');
  const isSandbox = () => props.platform === 'sandbox';

  async function submit(ev: SubmitEvent): Promise<void> {
    ev.preventDefault();
    setError('');
    const problems: Record<string, string> = {};
    const n = nameProblem(name(), props.platform);
    if (n) problems.name = n;
    if (!isSandbox()) {
      const c = cookieProblem(cookies());
      if (c) problems.cookies = c;
    }
    setFields(problems);
    if (Object.keys(problems).length > 0) return;
    setBusy(true);
    const trimmed = name().trim();
    try {
      await api.account.create.mutate({
        platform: props.platform,
        name: trimmed,
        cookies: isSandbox() ? sandboxCookie(trimmed) : cookies(),
      });
      setName('');
      setCookies('');
      await app.accounts.refresh();
      props.onAdded(trimmed);
    } catch (err) {
      const p = report(err);
      // Never show the pasted cookies back, even inside a message.
      setFields(p.fields.cookies ? { ...p.fields, cookies: t.accounts.cookieInvalid } : p.fields);
      setError(p.fields.cookies ? t.accounts.cookieInvalid : p.message);
    } finally {
      setBusy(false);
    }
  }

  return (
    <form class="card" onSubmit={(e) => void submit(e)} novalidate data-testid={`add-${prefix()}-form`}>
      <h2>{isSandbox() ? t.accounts.addSandbox : t.accounts.addZhihu}</h2>
      <p class="muted small">{isSandbox() ? t.accounts.sandboxHint : t.accounts.zhihuHint}</p>
      <div class="field">
        <label for={`${prefix()}-name`}>{t.accounts.name}</label>
        <input
          id={`${prefix()}-name`}
          data-testid={isSandbox() ? 'account-name-input' : 'zhihu-name-input'}
          value={name()}
          maxLength={LIMITS.accountNameMax + 10}
          autocomplete="off"
          onInput={(e) => setName(e.currentTarget.value)}
          aria-invalid={fields().name ? 'true' : undefined}
        />
        <Show when={fields().name}>
          <p class="field-error" data-testid={`${prefix()}-name-error`}>
            {fields().name}
          </p>
        </Show>
      </div>
      <Show when={!isSandbox()}>
        <div class="field">
          <label for="zhihu-cookies">{t.accounts.cookies}</label>
          <textarea
            id="zhihu-cookies"
            data-testid="zhihu-cookies-input"
            rows={5}
            class="mono"
            spellcheck={false}
            autocomplete="off"
            placeholder={t.accounts.cookiesPlaceholder}
            value={cookies()}
            onInput={(e) => setCookies(e.currentTarget.value)}
            aria-invalid={fields().cookies ? 'true' : undefined}
          />
          <Show when={fields().cookies}>
            <p class="field-error" data-testid="zhihu-cookies-error">
              {fields().cookies}
            </p>
          </Show>
        </div>
      </Show>
      <Show when={error()}>
        <p class="alert error" role="alert" data-testid={`${prefix()}-add-error`}>
          {error()}
        </p>
      </Show>
      <button type="submit" class="primary" data-testid={isSandbox() ? 'account-add' : 'zhihu-add'} disabled={busy()}>
        {busy() ? t.accounts.adding : t.accounts.add}
      </button>
    </form>
  );
}
