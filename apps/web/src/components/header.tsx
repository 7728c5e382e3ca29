import { A, useNavigate } from '@solidjs/router';
import { createSignal, onCleanup, onMount, Show } from 'solid-js';
import { t } from '../i18n';
import { useApp } from '../lib/app-context';
import { signedOut, signOut } from '../lib/session';
import { api } from '../lib/trpc';

/** Tries of `auth.logout` before the page says signing out failed. */
const LOGOUT_ATTEMPTS = 3;

export function Header() {
  const app = useApp();
  const navigate = useNavigate();
  const state = () => app.live.state();
  let bar: HTMLElement | undefined;

  // The header wraps to two rows on narrow screens; pages that fill the screen (the task list)
  // size themselves by its real height.
  onMount(() => {
    const el = bar;
    if (!el) return;
    const root = document.documentElement;
    const observer = new ResizeObserver(() => root.style.setProperty('--header-h', `${el.offsetHeight}px`));
    observer.observe(el);
    onCleanup(() => {
      observer.disconnect();
      root.style.removeProperty('--header-h');
    });
  });

  const [logoutError, setLogoutError] = createSignal<string | null>(null);

  async function logout() {
    setLogoutError(null);
    const failed = await signOut(() => api.auth.logout.mutate(), LOGOUT_ATTEMPTS);
    if (failed !== null) {
      setLogoutError(failed);
      return;
    }
    app.live.stop();
    signedOut(false);
    navigate('/login', { replace: true });
  }

  return (
    <header class="header" ref={bar}>
      <a class="skip" href="#main">
        {t.app.name}
      </a>
      <div class="brand" aria-hidden="true">
        {t.app.name}
      </div>
      <nav aria-label={t.nav.label} class="nav">
        <A href="/tasks" data-testid="nav-tasks">
          {t.nav.tasks}
        </A>
        <A href="/compose" data-testid="nav-compose">
          {t.nav.compose}
        </A>
        <A href="/batch" data-testid="nav-batch">
          {t.nav.batch}
        </A>
        <A href="/accounts" data-testid="nav-accounts">
          {t.nav.accounts}
        </A>
        <A href="/stats" data-testid="nav-stats">
          {t.nav.stats}
        </A>
        <A href="/workers" data-testid="nav-workers">
          {t.nav.workers}
        </A>
        <A href="/tokens" data-testid="nav-tokens">
          {t.nav.tokens}
        </A>
      </nav>
      <div class="who">
        <span class={`conn conn-${state()}`} data-testid="connection" data-state={state()} title={t.header.connection.title} role="status">
          <span class="dot" aria-hidden="true" />
          {t.header.connection[state()]}
        </span>
        <Show when={state() === 'offline'}>
          <button type="button" class="link" data-testid="reconnect" onClick={() => app.live.restart()}>
            {t.header.connection.reconnect}
          </button>
        </Show>
        <span class="email" title={app.user.email}>
          <span class="muted signed-in-as">{t.header.signedInAs}</span>
          <span data-testid="user-email" translate="no">
            {app.user.email}
          </span>
        </span>
        <button type="button" class="secondary" data-testid="logout" onClick={() => void logout()}>
          {t.header.logout}
        </button>
        <Show when={logoutError()}>
          {(message) => (
            <p class="alert error" role="alert" data-testid="logout-error">
              {t.header.logoutFailed(message())}
            </p>
          )}
        </Show>
      </div>
    </header>
  );
}
