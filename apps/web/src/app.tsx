/**
 * Routes. The task list is in the first bundle (it is where people land); every other page is
 * loaded when first opened. Everything under "/" needs a session (see Workspace).
 */
import { Navigate, Route, Router, type RouteSectionProps } from '@solidjs/router';
import { lazy, onMount } from 'solid-js';
import { NotFound } from './components/not-found';
import { Workspace } from './components/workspace';
import { checkSession } from './lib/session';
import { SignIn } from './pages/sign-in';
import { Tasks } from './pages/tasks';

const TaskDetail = lazy(() => import('./pages/task-detail').then((m) => ({ default: m.TaskDetail })));
const Compose = lazy(() => import('./pages/compose').then((m) => ({ default: m.Compose })));
const Batch = lazy(() => import('./pages/batch').then((m) => ({ default: m.Batch })));
const Accounts = lazy(() => import('./pages/accounts').then((m) => ({ default: m.Accounts })));
const Stats = lazy(() => import('./pages/stats').then((m) => ({ default: m.Stats })));
const Workers = lazy(() => import('./pages/workers').then((m) => ({ default: m.Workers })));
const Tokens = lazy(() => import('./pages/tokens').then((m) => ({ default: m.Tokens })));

function Frame(props: RouteSectionProps) {
  return <>{props.children}</>;
}

function Home() {
  return <Navigate href="/tasks" />;
}

export function App() {
  onMount(() => void checkSession());
  return (
    <Router root={Frame}>
      <Route path="/login" component={SignIn} />
      <Route path="/" component={Workspace}>
        <Route path="/" component={Home} />
        <Route path="/tasks" component={Tasks} />
        <Route path="/tasks/:id" component={TaskDetail} />
        <Route path="/compose" component={Compose} />
        <Route path="/batch" component={Batch} />
        <Route path="/accounts" component={Accounts} />
        <Route path="/stats" component={Stats} />
        <Route path="/workers" component={Workers} />
        <Route path="/tokens" component={Tokens} />
        <Route path="*404" component={NotFound} />
      </Route>
    </Router>
  );
}
