/**
 * API 令牌: personal API tokens for the `zpub` CLI and scripts. A new token's secret is shown
 * once, in this page's memory only (leaving the page forgets it); the list shows names and dates.
 */
import { LIMITS, type CreatedTokenView, type TokenView } from '@zpub/shared';
import { createResource, createSignal, For, Show } from 'solid-js';
import { PageMessages } from '../components/page-messages';
import { t } from '../i18n';
import { formatTime } from '../lib/datetime';
import { report } from '../lib/session';
import { api } from '../lib/trpc';

export function Tokens() {
  const [tokens, { refetch }] = createResource(() => api.token.list.query());
  const [created, setCreated] = createSignal<CreatedTokenView | null>(null);
  const [notice, setNotice] = createSignal('');
  const [error, setError] = createSignal('');

  return (
    <section class="page tokens-page" aria-labelledby="tokens-h">
      <h1 id="tokens-h">{t.tokens.title}</h1>
      <p class="muted">{t.tokens.intro}</p>
      <PageMessages notice={notice()} error={error()} testid="token" />
      <Show when={created()}>{(c) => <CreatedToken token={c()} onDismiss={() => setCreated(null)} />}</Show>

      <CreateTokenForm
        onCreated={(c) => {
          setNotice('');
          setError('');
          setCreated(c);
          void refetch();
        }}
      />

      <div class="card">
        <h2>{t.tokens.list}</h2>
        <Show when={(tokens()?.length ?? 0) > 0} fallback={<p class="muted" data-testid="tokens-empty">{tokens.loading ? t.app.loading : t.tokens.empty}</p>}>
          <table class="table" data-testid="token-list">
            <thead>
              <tr>
                <th scope="col">{t.tokens.colName}</th>
                <th scope="col">{t.tokens.colCreated}</th>
                <th scope="col">{t.tokens.colLastUsed}</th>
                <th scope="col">{t.tokens.colActions}</th>
              </tr>
            </thead>
            <tbody>
              <For each={tokens()}>
                {(token) => (
                  <TokenRow
                    token={token}
                    onRevoked={() => {
                      setError('');
                      if (created()?.id === token.id) setCreated(null);
                      setNotice(t.tokens.revoked(token.name));
                      void refetch();
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
    </section>
  );
}

function CreatedToken(props: { token: CreatedTokenView; onDismiss: () => void }) {
  const [copied, setCopied] = createSignal(false);
  const command = () => `pnpm zpub login --server ${location.origin} --token ${props.token.token}`;

  async function copy(): Promise<void> {
    try {
      await navigator.clipboard.writeText(props.token.token);
      setCopied(true);
    } catch {
      // No clipboard (an http page, a denied permission): the field is selected for a manual copy.
      document.getElementById('token-secret')?.focus();
    }
  }

  return (
    <div class="alert success card" role="status" data-testid="token-created">
      <p>
        <strong>{t.tokens.createdTitle(props.token.name)}</strong>
      </p>
      <p>{t.tokens.createdOnce}</p>
      <div class="field">
        <label for="token-secret">{t.tokens.secretLabel}</label>
        <div class="row-inline">
          <input id="token-secret" class="mono" data-testid="token-secret" readOnly value={props.token.token} onFocus={(e) => e.currentTarget.select()} />
          <button type="button" class="small secondary" data-testid="token-copy" onClick={() => void copy()}>
            {copied() ? t.tokens.copied : t.tokens.copy}
          </button>
        </div>
      </div>
      <p class="small">{t.tokens.cliHint}</p>
      <pre class="mono small" data-testid="token-command">{command()}</pre>
      <button type="button" class="secondary" data-testid="token-dismiss" onClick={() => props.onDismiss()}>
        {t.tokens.dismiss}
      </button>
    </div>
  );
}

function CreateTokenForm(props: { onCreated: (token: CreatedTokenView) => void }) {
  const [name, setName] = createSignal('');
  const [password, setPassword] = createSignal('');
  const [fields, setFields] = createSignal<Record<string, string>>({});
  const [error, setError] = createSignal('');
  const [busy, setBusy] = createSignal(false);

  async function submit(ev: SubmitEvent): Promise<void> {
    ev.preventDefault();
    setError('');
    const problems: Record<string, string> = {};
    const trimmed = name().trim();
    if (trimmed === '') problems.name = t.tokens.nameRequired;
    else if ([...trimmed].length > LIMITS.tokenNameMax) problems.name = t.tokens.nameTooLong(LIMITS.tokenNameMax);
    if (password() === '') problems.password = t.tokens.passwordRequired;
    setFields(problems);
    if (Object.keys(problems).length > 0) return;
    setBusy(true);
    try {
      const created = await api.token.create.mutate({ name: trimmed, password: password() });
      setName('');
      setPassword('');
      props.onCreated(created);
    } catch (err) {
      const p = report(err);
      if (p.appCode === 'WRONG_PASSWORD') setFields({ password: t.tokens.wrongPassword });
      else if (p.appCode === 'TOO_MANY_TOKENS') setError(t.tokens.tooMany(LIMITS.tokensMax));
      else {
        setFields(p.fields);
        setError(p.message);
      }
    } finally {
      setBusy(false);
    }
  }

  return (
    <form class="card" onSubmit={(e) => void submit(e)} novalidate data-testid="token-form">
      <h2>{t.tokens.createTitle}</h2>
      <div class="field">
        <label for="token-name">{t.tokens.name}</label>
        <input
          id="token-name"
          data-testid="token-name"
          value={name()}
          placeholder={t.tokens.namePlaceholder}
          maxLength={LIMITS.tokenNameMax + 10}
          autocomplete="off"
          onInput={(e) => setName(e.currentTarget.value)}
          aria-invalid={fields().name ? 'true' : undefined}
          aria-describedby={fields().name ? 'token-name-error' : undefined}
        />
        <Show when={fields().name}>
          <p class="field-error" id="token-name-error" data-testid="token-name-error">
            {fields().name}
          </p>
        </Show>
      </div>
      <div class="field">
        <label for="token-password">{t.tokens.password}</label>
        <input
          id="token-password"
          type="password"
          data-testid="token-password"
          value={password()}
          autocomplete="current-password"
          onInput={(e) => setPassword(e.currentTarget.value)}
          aria-invalid={fields().password ? 'true' : undefined}
          aria-describedby={fields().password ? 'token-password-error' : 'token-password-hint'}
        />
        <p class="muted small" id="token-password-hint">
          {t.tokens.passwordHint}
        </p>
        <Show when={fields().password}>
          <p class="field-error" id="token-password-error" data-testid="token-password-error">
            {fields().password}
          </p>
        </Show>
      </div>
      <Show when={error()}>
        <p class="alert error" role="alert" data-testid="token-form-error">
          {error()}
        </p>
      </Show>
      <button type="submit" class="primary" data-testid="token-create" disabled={busy()}>
        {busy() ? t.tokens.creating : t.tokens.create}
      </button>
    </form>
  );
}

function TokenRow(props: { token: TokenView; onRevoked: () => void; onError: (msg: string) => void }) {
  const [confirming, setConfirming] = createSignal(false);
  const [busy, setBusy] = createSignal(false);

  async function revoke(): Promise<void> {
    setBusy(true);
    try {
      await api.token.revoke.mutate({ id: props.token.id });
      props.onRevoked();
    } catch (err) {
      props.onError(report(err).message);
    } finally {
      setBusy(false);
      setConfirming(false);
    }
  }

  return (
    <tr data-testid="token-row" data-token-id={props.token.id}>
      <td data-testid="token-row-name">{props.token.name}</td>
      <td class="small">{formatTime(props.token.createdAt)}</td>
      <td class="small" data-testid="token-last-used">
        {props.token.lastUsedAt ? formatTime(props.token.lastUsedAt) : t.tokens.neverUsed}
      </td>
      <td>
        <div class="row-inline">
          <Show
            when={confirming()}
            fallback={
              <button type="button" class="small secondary" data-testid="token-revoke" disabled={busy()} onClick={() => setConfirming(true)}>
                {t.tokens.revoke}
              </button>
            }
          >
            <button type="button" class="small danger" data-testid="token-revoke-confirm" disabled={busy()} onClick={() => void revoke()}>
              {t.tokens.confirmRevoke}
            </button>
            <button type="button" class="small link" onClick={() => setConfirming(false)}>
              {t.app.cancel}
            </button>
          </Show>
        </div>
      </td>
    </tr>
  );
}
