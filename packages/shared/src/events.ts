import { z } from 'zod';
import { taskErrorSchema } from './errors';
import { noteSchema } from './notes';
import { taskStatusSchema } from './task';

/**
 * Named steps of a task and the progress each one stands for. The worker reports them in this
 * order; `retrying`, `requeued` and the terminal stages can follow any of them.
 */
export const STAGES = {
  created: 0,
  scheduled: 0,
  queued: 5,
  browser: 10,
  login: 20,
  /** Every image of the article is on Zhihu's image host (nothing published yet). */
  images: 30,
  editor: 40,
  submitted: 60,
  redirected: 80,
  verified: 100,
  /** An update in place: the article page shows the new title and body. */
  updated: 100,
  /** Draft only: saved to Zhihu's drafts, never published; the result is the draft's editor address. */
  drafted: 100,
  duplicate: 100,
  retrying: 5,
  requeued: 5,
  failed: 100,
  cancelled: 100,
  unconfirmed: 100,
  /** The user removed the ended task with its body, timeline and evidence; its last event. */
  removed: 100,
} as const;
export type Stage = keyof typeof STAGES;
export const STAGE_NAMES = Object.keys(STAGES) as [Stage, ...Stage[]];
/**
 * Stages of a running attempt past the click on 发布 ('submitted' is written just before it):
 * what was sent to Zhihu cannot be called back, so a cancel is refused there and the attempt goes
 * on to its proof.
 */
export const PAST_THE_CLICK: readonly Stage[] = ['submitted', 'redirected'];
export const stageSchema = z.enum(STAGE_NAMES);

export const taskResultSchema = z.object({
  url: z.string(),
  articleId: z.string(),
});
export type TaskResult = z.infer<typeof taskResultSchema>;

/** What the worker kept when an attempt did not succeed: the page it was on and a screenshot. */
export const evidenceSchema = z.object({
  url: z.string(),
  pageTitle: z.string(),
  screenshot: z.boolean(),
  at: z.string(),
});
export type EvidenceView = z.infer<typeof evidenceSchema>;

/** What a `created` event carries, so a reader can add the row without asking for it. */
export const taskSummarySchema = z.object({
  accountId: z.string(),
  platform: z.string(),
  title: z.string(),
  topics: z.array(z.string()),
  priority: z.string(),
  scheduledAt: z.string().optional(),
  batchId: z.string().optional(),
  createdAt: z.string(),
});
export type TaskSummary = z.infer<typeof taskSummarySchema>;

/**
 * One change of one task. `id` sorts in the order events happened (it is the Redis stream id,
 * zero-padded so that string order is time order); clients resume from it.
 */
export const taskEventSchema = z.object({
  id: z.string(),
  taskId: z.string(),
  userId: z.string(),
  attempt: z.number().int().min(0),
  /** Version of the task's state after this event; per task, versions only grow. */
  v: z.number().int().min(0),
  status: taskStatusSchema,
  progress: z.number().int().min(0).max(100),
  stage: stageSchema,
  /**
   * What happened at this step (notes.ts): the SPA says it in its reader's language. Events
   * written before notes existed lack it; their `message` is English only.
   */
  note: noteSchema.optional(),
  /** The note in English (logs, clients that do not know the notes); never shown in the Chinese UI. */
  message: z.string().optional(),
  error: taskErrorSchema.optional(),
  result: taskResultSchema.optional(),
  task: taskSummarySchema.optional(),
  evidence: evidenceSchema.optional(),
  /** Set on the last event of a task the user removed: drop the row. */
  removed: z.literal(true).optional(),
  at: z.string(),
});
export type TaskEvent = z.infer<typeof taskEventSchema>;

const EVENT_ID = /^(\d{13})-(\d{6,})$/;

/** Redis stream id (`1732800000000-3`) -> sortable event id (`1732800000000-000003`). */
export function eventIdFromStreamId(streamId: string): string {
  const [ms = '0', seq = '0'] = streamId.split('-');
  return `${ms.padStart(13, '0')}-${seq.padStart(6, '0')}`;
}

/** Sortable event id -> Redis stream id, or null when the id is not one of ours. */
export function streamIdFromEventId(eventId: string): string | null {
  const m = EVENT_ID.exec(eventId);
  if (!m) return null;
  return `${BigInt(m[1] ?? '0')}-${BigInt(m[2] ?? '0')}`;
}

export function isEventId(value: string): boolean {
  return EVENT_ID.test(value);
}

/**
 * A task's creation that says nothing its document does not (no schedule, no note). MongoDB's
 * timeline leaves it out: at hundreds of submissions a second its insert was an eighth of the
 * store's work for nothing new. A task's detail puts it back from the document (plainCreation).
 */
export function isPlainCreation(e: Pick<TaskEvent, 'v' | 'attempt' | 'stage' | 'note' | 'message'>): boolean {
  return e.v === 0 && e.attempt === 0 && e.stage === 'created' && e.note === undefined && e.message === undefined;
}

/**
 * The plain creation of a task as its document tells it. Its id takes the creation's millisecond
 * and sequence 0, so it sorts where the stream's own creation event does (that one is added just
 * after the document is saved); timelines merge the two as one (timelineKey).
 */
export function plainCreation(taskId: string, userId: string, createdAt: Date): TaskEvent {
  return {
    id: eventIdFromStreamId(`${createdAt.getTime()}-0`),
    taskId,
    userId,
    attempt: 0,
    v: 0,
    status: 'pending',
    progress: 0,
    stage: 'created',
    at: createdAt.toISOString(),
  };
}

/** What a timeline merges events by: the event's id, except that a task has one creation (version 0). */
export function timelineKey(e: Pick<TaskEvent, 'id' | 'v' | 'attempt'>): string {
  return e.v === 0 && e.attempt === 0 ? 'created' : e.id;
}
