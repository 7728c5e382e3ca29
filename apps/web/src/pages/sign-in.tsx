/** 登录 / 注册: email + password, with per-field messages from the client and the server. */
import { Navigate, useNavigate, useSearchParams } from '@solidjs/router';
import { createSignal, Match, Show, Switch } from 'solid-js';
import { t } from '../i18n';
import { describeError } from '../lib/errors';
import { session, signedIn } from '../lib/session';
import { api } from '../lib/trpc';

const PASSWORD_MIN = 8;

/** Only paths inside this app are followed after sign-in (no open redirect). */
function safeNext(next: string | string[] | undefined): string {
  const value = Array.isArray(next) ? next[0] : next;
  return value && value.startsWith('/') && !value.startsWith('//') && !value.startsWith('/login') ? value : '/tasks';
}

export function SignIn() {
  const [params] = useSearchParams();
  const navigate = useNavigate();
  const [mode, setMode] = createSignal<'login' | 'register'>(params.mode === 'register' ? 'register' : 'login');
  const [email, setEmail] = createSignal('');
  const [password, setPassword] = createSignal('');
  const [fields, setFields] = createSignal<Record<string, string>>({});
  const [error, setError] = createSignal('');
  const [busy, setBusy] = createSignal(false);
  const expired = () => {
    const s = session();
    return s.state === 'anon' && s.expired;
  };

  function validate(): Record<string, string> {
    const out: Record<string, string> = {};
    if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email().trim())) out.email = t.auth.emailInvalid;
    if (password().length < PASSWORD_MIN) out.password = t.auth.passwordShort(PASSWORD_MIN);
    return out;
  }

  async function submit(ev: SubmitEvent) {
    ev.preventDefault();
    setError('');
    const problems = validate();
    setFields(problems);
    if (Object.keys(problems).length > 0) return;
    setBusy(true);
    try {
      const input = { email: email().trim(), password: password() };
      const user = mode() === 'login' ? await api.auth.login.mutate(input) : await api.auth.register.mutate(input);
      signedIn({ id: user.id, email: user.email });
      navigate(safeNext(params.next), { replace: true });
    } catch (err) {
      const p = describeError(err);
      setFields(p.fields);
      setError(p.message);
    } finally {
      setBusy(false);
    }
  }

  const title = () => (mode() === 'login' ? t.auth.signInTitle : t.auth.registerTitle);

  return (
    <Switch>
      <Match when={session().state === 'user'}>
        <Navigate href={safeNext(params.next)} />
      </Match>
      <Match when={true}>
        <main class="auth-page" id="main">
          <form class="card auth-card" onSubmit={(e) => void submit(e)} novalidate data-testid="auth-form" data-mode={mode()}>
            <p class="brand-lg">{t.app.name}</p>
            <h1>{title()}</h1>
            <Show when={expired()}>
              <p class="alert info">{t.auth.sessionExpired}</p>
            </Show>
            <div class="field">
              <label for="auth-email">{t.auth.email}</label>
              <input
                id="auth-email"
                data-testid="auth-email"
                type="email"
                autocomplete="email"
                required
                value={email()}
                onInput={(e) => setEmail(e.currentTarget.value)}
                aria-invalid={fields().email ? 'true' : undefined}
                aria-describedby={fields().email ? 'auth-email-error' : undefined}
              />
              <Show when={fields().email}>
                <p class="field-error" id="auth-email-error" data-testid="auth-email-error">
                  {fields().email}
                </p>
              </Show>
            </div>
            <div class="field">
              <label for="auth-password">{t.auth.password}</label>
              <input
                id="auth-password"
                data-testid="auth-password"
                type="password"
                autocomplete={mode() === 'login' ? 'current-password' : 'new-password'}
                required
                value={password()}
                onInput={(e) => setPassword(e.currentTarget.value)}
                aria-invalid={fields().password ? 'true' : undefined}
                aria-describedby={fields().password ? 'auth-password-error' : undefined}
              />
              <Show when={fields().password}>
                <p class="field-error" id="auth-password-error" data-testid="auth-password-error">
                  {fields().password}
                </p>
              </Show>
            </div>
            <Show when={error()}>
              <p class="alert error" role="alert" data-testid="auth-error">
                {error()}
              </p>
            </Show>
            <button type="submit" class="primary wide" data-testid="auth-submit" disabled={busy()}>
              {busy() ? t.auth.working : mode() === 'login' ? t.auth.signIn : t.auth.register}
            </button>
            <button
              type="button"
              class="link"
              data-testid="auth-toggle"
              onClick={() => {
                setMode(mode() === 'login' ? 'register' : 'login');
                setError('');
                setFields({});
              }}
            >
              {mode() === 'login' ? t.auth.toRegister : t.auth.toSignIn}
            </button>
          </form>
        </main>
      </Match>
    </Switch>
  );
}
