/** Prometheus metrics of one server process, read on each scrape from the live state. */
import { TASK_STATUSES } from '@zpub/shared';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { Services } from './services/services';

export function createMetrics(services: Services): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'zpub_server_' });

  new Gauge({
    name: 'zpub_tasks',
    help: 'Tasks by status (all users; the counts the state scripts keep in Redis)',
    labelNames: ['status'],
    registers: [registry],
    async collect() {
      const counts = await services.redis.hGetAll(services.keys.ix.counts).catch(() => null);
      if (!counts) return;
      for (const status of TASK_STATUSES) this.set({ status }, Number(counts[status] ?? 0));
    },
  });
  new Gauge({
    name: 'zpub_server_start_phase_seconds',
    help: "How long each step of this process's start took: loading the code, MongoDB connect and indexes, Redis, live tasks, sessions, the index check, listening",
    labelNames: ['phase'],
    registers: [registry],
    collect() {
      for (const [phase, ms] of Object.entries(services.startup)) this.set({ phase }, ms / 1000);
    },
  });
  new Gauge({
    name: 'zpub_live_tasks',
    help: 'Tasks pending, queued or running that this process holds in memory (all it holds of tasks)',
    registers: [registry],
    collect() {
      this.set(services.live.size);
    },
  });
  new Counter({
    name: 'zpub_task_documents_read_total',
    help: 'Task documents this process read from MongoDB, by why: rows of tasks ended long ago, ownership checks, details, index rebuilds, repairs',
    labelNames: ['reason'],
    registers: [registry],
    collect() {
      this.reset();
      for (const [reason, n] of services.rows.docsRead) this.inc({ reason }, n);
    },
  });
  new Gauge({
    name: 'zpub_task_index_rebuilding',
    help: '1 while this process rebuilds the task indexes in Redis from MongoDB',
    registers: [registry],
    collect() {
      this.set(services.rebuild.active ? 1 : 0);
    },
  });
  new Gauge({
    name: 'zpub_queue_depth',
    help: 'Jobs in the publish queue, by state',
    labelNames: ['state'],
    registers: [registry],
    async collect() {
      const health = await services.queue.checkHealth().catch(() => null);
      if (!health) return;
      this.set({ state: 'waiting' }, health.waiting);
      this.set({ state: 'active' }, health.active);
      this.set({ state: 'delayed' }, health.delayed);
    },
  });
  new Gauge({
    name: 'zpub_subscribers',
    help: 'Open task.onUpdate subscriptions on this process',
    registers: [registry],
    collect() {
      this.set(services.hub.subscriberCount);
    },
  });
  new Gauge({
    name: 'zpub_leader',
    help: '1 when this process dispatches and projects',
    registers: [registry],
    collect() {
      this.set(services.leadership.isLeader ? 1 : 0);
    },
  });
  // Counts kept by the projector (they grow only while this process leads) and by the hub.
  const counter = (name: string, help: string, read: () => number) =>
    new Counter({
      name,
      help,
      registers: [registry],
      collect() {
        this.reset();
        this.inc(read());
      },
    });
  counter('zpub_stream_gaps_total', 'Stretches of the event stream trimmed before they were projected (repaired from the live states)', () => services.projector.gaps);
  counter('zpub_stream_gap_tasks_repaired_total', 'Task documents rewritten from their live state after a trimmed stretch', () => services.projector.gapTasksRepaired);
  counter('zpub_projection_rounds_dropped_total', 'Projection rounds not written because the lease had moved to another process', () => services.projector.roundsDropped);
  counter('zpub_task_index_rebuilds_total', 'Rebuilds of the task indexes in Redis from MongoDB this process finished', () => services.rebuild.rebuilds);
  counter('zpub_task_versions_raised_total', 'Tasks whose live version was raised above MongoDB\'s after Redis lost writes', () => services.projector.reversioned);
  const passes = new Histogram({
    name: 'zpub_dispatch_pass_seconds',
    help: 'Duration of one dispatcher pass (choosing and queueing the next tasks) on this process',
    buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10],
    registers: [registry],
  });
  services.dispatcher.onPass = (ms) => passes.observe(ms / 1000);
  counter('zpub_stream_follower_gaps_total', 'Stretches of the event stream trimmed before this process read them (its rows repaired from the live states)', () => services.hub.gaps);
  counter('zpub_stream_follower_rows_repaired_total', 'Rows of this process rewritten from their live state after such a stretch', () => services.hub.gapRowsRepaired);
  const relayed = new Counter({ name: 'zpub_events_relayed_total', help: 'Task events read from the stream', registers: [registry] });
  const delay = new Histogram({
    name: 'zpub_event_relay_delay_seconds',
    help: 'From an event being written to this process reading it from the stream',
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [registry],
  });
  services.hub.onEvents((events) => {
    const now = Date.now();
    relayed.inc(events.length);
    for (const e of events) delay.observe(Math.max(0, now - Date.parse(e.at)) / 1000);
  });
  return registry;
}
