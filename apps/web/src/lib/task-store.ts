/**
 * Every task row the app knows, in one Solid store keyed by task id, fed by the `task.onUpdate`
 * events and by list pages. Rows only move forward (@zpub/shared, task-row.ts: the server's live
 * rows follow the same rules). An event for a task not
 * held here builds the row when it carries the task's summary; otherwise the task is fetched
 * when some view could show it, and its events wait ("parked") for that answer or a later page.
 */
import { catchUp, mergeEvent, mergeSnapshot, type TaskEvent, type TaskView } from '@zpub/shared';
import { batch } from 'solid-js';
import { createStore, produce, reconcile, unwrap } from 'solid-js/store';

export interface TaskChange {
  row: TaskView;
  /** The row before the change; undefined when the row is new to the store. */
  before: TaskView | undefined;
  event: TaskEvent | null;
  /** The user removed the task: the row is gone from the store (`row` is its last state). */
  removed?: true;
}

export interface TaskStoreDeps {
  /** The task as the server has it now, or null if it does not exist (any more). */
  fetchTask: (id: string) => Promise<TaskView | null>;
  /** How many fetches may run at once (they are batched over HTTP anyway). */
  maxConcurrentFetches?: number;
}

/** Tasks whose events are kept while nobody holds their row, and events kept per task. */
const PARKED_TASKS_MAX = 20_000;
const PARKED_EVENTS_MAX = 64;

export type TaskStore = ReturnType<typeof createTaskStore>;

export function createTaskStore(deps: TaskStoreDeps) {
  const [state, setState] = createStore<{ byId: Record<string, TaskView> }>({ byId: {} });
  const fetching = new Map<string, TaskEvent[]>();
  const queue: string[] = [];
  let running = 0;
  const parked = new Map<string, TaskEvent[]>();
  const changeListeners = new Set<(c: TaskChange) => void>();
  const eventListeners = new Set<(e: TaskEvent) => void>();
  const interests = new Set<(e: TaskEvent) => boolean>();
  const maxFetches = deps.maxConcurrentFetches ?? 4;

  /** A copy of the held row: `reconcile` updates the store's own objects in place. */
  function held(id: string): TaskView | undefined {
    const row = state.byId[id];
    return row ? structuredClone(unwrap(row)) : undefined;
  }

  function write(row: TaskView, before: TaskView | undefined, event: TaskEvent | null): void {
    setState('byId', row.id, reconcile(row, { key: 'id' }));
    const change = { row, before, event };
    for (const fn of changeListeners) fn(change);
  }

  function park(e: TaskEvent): void {
    let list = parked.get(e.taskId);
    if (list) parked.delete(e.taskId); // re-insert: the Map's order is the order of last use
    else list = [];
    list.push(e);
    if (list.length > PARKED_EVENTS_MAX) list.shift();
    parked.set(e.taskId, list);
    if (parked.size > PARKED_TASKS_MAX) {
      const oldest = parked.keys().next();
      if (!oldest.done) parked.delete(oldest.value);
    }
  }

  function takeParked(id: string): TaskEvent[] {
    const list = parked.get(id) ?? [];
    parked.delete(id);
    return list;
  }

  function pump(): void {
    while (running < maxFetches && queue.length > 0) {
      const id = queue.shift();
      if (id === undefined) break;
      running++;
      deps
        .fetchTask(id)
        .then(
          (row) => {
            const waiting = fetching.get(id) ?? [];
            fetching.delete(id);
            // The change names the last event, so a list can tell why the row came.
            if (row) snapshotOne(row, waiting, waiting[waiting.length - 1] ?? null);
            else for (const e of waiting) park(e);
          },
          () => {
            // Keep what arrived: a later page of the list can still use it.
            for (const e of fetching.get(id) ?? []) park(e);
            fetching.delete(id);
          },
        )
        .finally(() => {
          running--;
          pump();
        });
    }
  }

  function snapshotOne(incoming: TaskView, extra: readonly TaskEvent[] = [], cause: TaskEvent | null = null): void {
    const before = held(incoming.id);
    const merged = mergeSnapshot(before, incoming);
    const pendingEvents = [...takeParked(incoming.id), ...extra];
    const base = merged ?? before;
    if (!base) return;
    const row = pendingEvents.length > 0 ? catchUp(base, pendingEvents) : base;
    if (row === before) return;
    write(row, before, cause);
  }

  return {
    state,

    row(id: string): TaskView | undefined {
      return state.byId[id];
    },

    /** One event from the subscription. */
    applyEvent(e: TaskEvent): void {
      for (const fn of eventListeners) fn(e);
      const before = held(e.taskId);
      if (e.removed) {
        parked.delete(e.taskId);
        fetching.delete(e.taskId);
        if (!before) return;
        setState(
          'byId',
          produce((byId) => {
            delete byId[e.taskId];
          }),
        );
        const change: TaskChange = { row: { ...before, stage: 'removed' }, before, event: e, removed: true };
        for (const fn of changeListeners) fn(change);
        return;
      }
      const decision = mergeEvent(before, e);
      if (decision.kind === 'apply') {
        // Events parked while the row was unknown are older than one that carries the summary.
        const rest = before ? [] : takeParked(e.taskId);
        write(rest.length > 0 ? catchUp(decision.row, rest) : decision.row, before, e);
        return;
      }
      if (decision.kind === 'stale') return;
      const waiting = fetching.get(e.taskId);
      if (waiting) {
        waiting.push(e);
        return;
      }
      if ([...interests].some((wants) => wants(e))) {
        fetching.set(e.taskId, [...takeParked(e.taskId), e]);
        queue.push(e.taskId);
        pump();
        return;
      }
      park(e);
    },

    /** Rows of a list page or a `byId` answer; a row held at a newer version stays. */
    applySnapshot(rows: readonly TaskView[]): void {
      batch(() => {
        for (const row of rows) snapshotOne(row);
      });
    },

    /** Fetches a task now (e.g. the one just created here), unless it is held or on its way. */
    ensure(id: string): void {
      if (state.byId[id] || fetching.has(id)) return;
      fetching.set(id, takeParked(id));
      queue.push(id);
      pump();
    },

    /** Called after every change of a row. */
    onChange(fn: (c: TaskChange) => void): () => void {
      changeListeners.add(fn);
      return () => changeListeners.delete(fn);
    },

    /** Called with every event, applied or not (timelines, statistics, workers). */
    onEvent(fn: (e: TaskEvent) => void): () => void {
      eventListeners.add(fn);
      return () => eventListeners.delete(fn);
    },

    /**
     * A view says which unknown tasks it could show; their rows are fetched. Without any such
     * interest, events of unknown tasks are only parked (no request per event of a task that
     * nothing on screen can show).
     */
    addInterest(wants: (e: TaskEvent) => boolean): () => void {
      interests.add(wants);
      return () => interests.delete(wants);
    },

    /** For tests and diagnostics. */
    debug(): { parked: number; fetching: number } {
      return { parked: parked.size, fetching: fetching.size };
    },
  };
}
