/** Prometheus metrics of one worker: slots, outcomes, publish durations, browser restarts. */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { BrowserStats } from './browser/cluster';

export class WorkerMetrics {
  readonly registry = new Registry();
  private readonly finished: Counter<'status'>;
  private readonly duration: Histogram<'status'>;

  constructor(slots: number, busy: () => number, browser: BrowserStats) {
    collectDefaultMetrics({ register: this.registry, prefix: 'zpub_worker_' });
    new Gauge({ name: 'zpub_worker_slots', help: 'Chromium slots of this worker', registers: [this.registry] }).set(slots);
    new Gauge({
      name: 'zpub_worker_busy_slots',
      help: 'Slots running a task now',
      registers: [this.registry],
      collect() {
        this.set(busy());
      },
    });
    new Gauge({
      name: 'zpub_worker_browser_restarts',
      help: 'Chromium launches after the first (recycling and crashes)',
      registers: [this.registry],
      collect() {
        this.set(Math.max(0, browser.launches - 1));
      },
    });
    this.finished = new Counter({ name: 'zpub_worker_tasks_finished_total', help: 'Attempts that ended, by outcome', labelNames: ['status'], registers: [this.registry] });
    this.duration = new Histogram({
      name: 'zpub_worker_publish_duration_seconds',
      help: 'From claiming a task to its outcome',
      labelNames: ['status'],
      buckets: [0.5, 1, 2, 3, 5, 8, 13, 20, 30, 60, 120],
      registers: [this.registry],
    });
  }

  record(status: 'success' | 'failed' | 'unconfirmed', startedAt: number): void {
    this.finished.inc({ status });
    this.duration.observe({ status }, (Date.now() - startedAt) / 1000);
  }
}
