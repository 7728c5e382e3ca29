/** Choosing the account to publish with; says so when there is none yet, or it has expired. */
import { A } from '@solidjs/router';
import { For, Show } from 'solid-js';
import { t } from '../i18n';
import { useApp } from '../lib/app-context';

export function AccountSelect(props: { id: string; testid: string; label: string; value: string; onChange: (id: string) => void; error?: string | undefined; disabled?: boolean }) {
  const app = useApp();
  const chosen = () => app.accounts.state.list.find((a) => a.id === props.value);
  return (
    <div class="field">
      <label for={props.id}>{props.label}</label>
      <Show
        when={!app.accounts.state.loaded || app.accounts.state.list.length > 0}
        fallback={
          <p class="alert info" data-testid={`${props.testid}-none`}>
            {t.compose.noAccounts}
            <A href="/accounts">{t.compose.addAccountLink}</A>
          </p>
        }
      >
        <select
          id={props.id}
          data-testid={props.testid}
          value={props.value}
          disabled={props.disabled}
          onChange={(e) => props.onChange(e.currentTarget.value)}
          aria-invalid={props.error ? 'true' : undefined}
        >
          <option value="" disabled selected={props.value === ''}>
            {t.compose.chooseAccount}
          </option>
          <For each={app.accounts.state.list}>
            {(a) => (
              <option value={a.id} selected={a.id === props.value}>
                {a.name}（{t.accounts.platforms[a.platform] ?? a.platform} · {t.accounts.states[a.state]}）
              </option>
            )}
          </For>
        </select>
      </Show>
      <Show when={chosen()?.state === 'expired'}>
        <p class="alert warn small">{t.accounts.stateHint.expired}</p>
      </Show>
      <Show when={props.error}>
        <p class="field-error" data-testid={`${props.testid}-error`}>
          {props.error}
        </p>
      </Show>
    </div>
  );
}
