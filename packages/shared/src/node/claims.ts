/**
 * Claiming an attempt with a fencing token that outlives Redis. The claim in Redis (TaskStates.claim)
 * stores a fresh random token that every later write of the attempt must present; the claim in
 * MongoDB (`task_claims`, `_id` `<taskId>:<attempt>`) can be inserted once per attempt number. A
 * Redis that lost its last writes may hand attempt n out again: the second claimant finds n taken
 * in MongoDB and moves on to n+1, so no two workers ever hold the same attempt.
 */
import { randomUUID } from 'node:crypto';
import mongoose from 'mongoose';
import type { TaskError } from '../errors';
import { note } from '../notes';
import type { Models } from './models';
import { throughOutages } from './outage';
import type { ClaimResult, TaskStates } from './task-state';

/** How many attempt numbers a claim skips at most (each one taken before Redis lost it). */
const MAX_SKIPS = 20;
/** Earlier attempts whose durable claim is read for a click that Redis may have forgotten. */
const LOOK_BACK = 3;
/**
 * How long a claim waits for MongoDB (a restart, a failover) before it gives the attempt back:
 * the attempt is already running in Redis, so failing here would leave it running on nobody.
 */
export const CLAIM_OUTAGE_PATIENCE_MS = 120_000;

export type AttemptClaim =
  | { ok: true; eventId: string; attempt: number; v: number; token: string; stalls: number; skipped: number; priorSubmittedAt: number | null }
  | Exclude<ClaimResult, { ok: true }>
  | { ok: false; reason: 'taken-over' };

export interface ClaimRequest {
  taskId: string;
  jobId: string;
  workerId: string;
  stallLimit: number;
  stallError: TaskError;
}

function isDuplicateKey(err: unknown): boolean {
  return (err as { code?: number } | null)?.code === 11000;
}

export async function claimAttempt(states: TaskStates, models: Models, req: ClaimRequest): Promise<AttemptClaim> {
  const token = `${req.workerId}.${randomUUID()}`;
  const res = await states.claim(req.taskId, req.jobId, req.workerId, req.stallLimit, req.stallError, token);
  if (!res.ok) return res;
  const held = { attempt: res.attempt };
  try {
    return await recordClaim(states, models, req, token, res, held);
  } catch (err) {
    // MongoDB stayed away (or failed otherwise): the attempt goes back to the queue rather than
    // stay `running` with no worker on it. A later claim takes the next attempt number.
    await states
      .transition(req.taskId, { from: ['running'], to: 'pending', attempt: held.attempt, token, stage: 'requeued', note: note('storeUnreachable', { step: 'claim' }) })
      .catch(() => undefined);
    throw err;
  }
}

async function recordClaim(
  states: TaskStates,
  models: Models,
  req: ClaimRequest,
  token: string,
  res: Extract<ClaimResult, { ok: true }>,
  held: { attempt: number },
): Promise<AttemptClaim> {
  let { attempt, v, eventId } = res;
  let skipped = 0;
  const deadline = Date.now() + CLAIM_OUTAGE_PATIENCE_MS;
  const patience = () => Math.max(0, deadline - Date.now());
  for (;;) {
    try {
      const id = `${req.taskId}:${attempt}`;
      await throughOutages(
        () => models.TaskClaim.create({ _id: id, taskId: new mongoose.Types.ObjectId(req.taskId), token, workerId: req.workerId, at: new Date() }),
        patience(),
      );
      break;
    } catch (err) {
      // A create that timed out may have been stored before the connection dropped: our own token
      // there means the claim is ours.
      if (isDuplicateKey(err) && (await throughOutages(() => models.TaskClaim.findById(`${req.taskId}:${attempt}`, { token: 1 }).lean(), patience()))?.token === token) break;
      if (!isDuplicateKey(err) || skipped >= MAX_SKIPS) throw err;
    }
    // Attempt n was claimed before (by a Redis that has since lost it): this claim becomes n+1.
    const next = await states.transition(req.taskId, {
      from: ['running'],
      to: 'running',
      attempt,
      token,
      newAttempt: true,
      stage: 'browser',
      progress: 10,
      note: note('claimedAgain', { taken: attempt, worker: req.workerId, attempt: attempt + 1 }),
    });
    if (!next.ok) return { ok: false, reason: 'taken-over' };
    ({ attempt, v, eventId } = next);
    held.attempt = attempt;
    skipped++;
  }
  const earlier = Array.from({ length: Math.min(LOOK_BACK, attempt - 1) }, (_, i) => `${req.taskId}:${attempt - 1 - i}`);
  // One lookup by _id each: FerretDB pushes only `_id` equality down.
  const docs = await throughOutages(() => Promise.all(earlier.map((id) => models.TaskClaim.findById(id, { submittedAt: 1 }).lean())), patience());
  const durable = docs.reduce<number | null>((max, d) => {
    const at = d?.submittedAt?.getTime();
    return at !== undefined && (max === null || at > max) ? at : max;
  }, null);
  const live = res.submittedAt ? Number(res.submittedAt) : null;
  const priorSubmittedAt = live !== null && durable !== null ? Math.max(live, durable) : (live ?? durable);
  return { ok: true, eventId, attempt, v, token, stalls: res.stalls, skipped, priorSubmittedAt };
}

/**
 * Records, durably and before the click, that this attempt is about to submit. False when the
 * claim is not this token's (the attempt was taken over): the caller must not click.
 */
export async function markSubmitted(models: Models, taskId: string, attempt: number, token: string, at: Date): Promise<boolean> {
  const id = `${taskId}:${attempt}`;
  // A claim's token never changes once it is stored, so reading it and then writing by `_id` is
  // as safe as one write filtered on both; and a filter beyond `_id` would make FerretDB read
  // every claim ever made (a write that finds the claim gone matches nothing).
  if ((await models.TaskClaim.findById(id, { token: 1 }).lean())?.token !== token) return false;
  const res = await models.TaskClaim.updateOne({ _id: id }, { $set: { submittedAt: at } });
  return res.matchedCount === 1;
}
