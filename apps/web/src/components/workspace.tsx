/**
 * The signed-in part of the app. It starts the live feed as soon as the user is known, before
 * any page asks for data, and ends it when the user signs out (or the session ends).
 */
import { detailToView } from '@zpub/shared';
import { Navigate, useLocation, type RouteSectionProps } from '@solidjs/router';
import { Match, onCleanup, Switch, type JSX } from 'solid-js';
import { t } from '../i18n';
import { createAccounts } from '../lib/accounts';
import { AppContext } from '../lib/app-context';
import { errorCode } from '../lib/errors';
import { createLive } from '../lib/live';
import { checkSession, report, session, signedOut, type Session, type SessionUser } from '../lib/session';
import { createTaskStore } from '../lib/task-store';
import { api } from '../lib/trpc';
import { Header } from './header';

function userOf(s: Session): SessionUser | false {
  return s.state === 'user' ? s.user : false;
}

export function Workspace(props: RouteSectionProps) {
  const location = useLocation();
  const next = () => encodeURIComponent(`${location.pathname}${location.search}`);
  return (
    <Switch>
      <Match when={session().state === 'checking'}>
        <p class="page-loading" role="status">
          {t.app.loading}
        </p>
      </Match>
      <Match when={session().state === 'error'}>
        <section class="page narrow">
          <p class="alert error" role="alert">
            {(() => {
              const s = session();
              return s.state === 'error' ? s.message : '';
            })()}
          </p>
          <button type="button" onClick={() => void checkSession()}>
            {t.header.connection.reconnect}
          </button>
        </section>
      </Match>
      <Match when={userOf(session())} keyed>
        {(user) => <SignedIn user={user}>{props.children}</SignedIn>}
      </Match>
      <Match when={session().state === 'anon'}>
        <Navigate href={`/login?next=${next()}`} />
      </Match>
    </Switch>
  );
}

function SignedIn(props: { user: SessionUser; children?: JSX.Element }) {
  const store = createTaskStore({
    async fetchTask(id) {
      try {
        return detailToView(await api.task.byId.query({ id }));
      } catch (err) {
        if (errorCode(err) === 'NOT_FOUND') return null;
        throw err;
      }
    },
  });
  // First the subscription, then (in the pages) the first list page: no change falls between.
  const live = createLive(api, (e) => store.applyEvent(e), () => signedOut(true));
  const accounts = createAccounts(api, report);
  void accounts.refresh();
  // No event names accounts, but tasks tell when a login worked or expired: refresh the list
  // then, when it would change what it shows.
  let accountsTimer: ReturnType<typeof setTimeout> | undefined;
  const offAccounts = store.onEvent((e) => {
    const accountId = store.row(e.taskId)?.accountId ?? e.task?.accountId;
    const account = accountId ? accounts.state.list.find((a) => a.id === accountId) : undefined;
    const changes =
      (e.stage === 'login' && account?.state !== 'active') || (e.error?.code === 'LOGIN_EXPIRED' && account?.state !== 'expired');
    if (!changes || accountsTimer) return;
    accountsTimer = setTimeout(() => {
      accountsTimer = undefined;
      void accounts.refresh();
    }, 1000);
  });
  onCleanup(() => {
    live.stop();
    offAccounts();
    clearTimeout(accountsTimer);
  });

  return (
    <AppContext.Provider value={{ user: props.user, store, live, accounts }}>
      <Header />
      <main id="main" class="main">
        {props.children}
      </main>
    </AppContext.Provider>
  );
}
