/** Every Redis key the apps share, in one place, under the deployment's prefix. */
export function redisKeys(prefix: string) {
  return {
    prefix,
    /** Bee-Queue's own key prefix; its queue is named `publish`. */
    queuePrefix: `${prefix}:bq`,
    queueName: 'publish',
    events: `${prefix}:events`,
    /** Tasks by the time of their last event (ms): what a trimmed stretch of the stream touched. */
    changed: `${prefix}:changed`,
    task: (id: string) => `${prefix}:task:${id}`,
    /** Every task pending, queued or running: what a starting server loads (task-state.ts). */
    live: `${prefix}:live`,
    /**
     * The list indexes, kept by the same Lua scripts that change a task (task-state.ts; the
     * scripts build these names from the prefix too): per account and status, a sorted set by
     * creation time (`c`), by last change (`u`) and by title (`t`); per batch by creation time;
     * per user the accounts that have tasks; task counts by status; and the mark of a complete index.
     */
    ix: {
      byAccount: (accountId: string, kind: 'c' | 'u' | 't', status: string) => `${prefix}:ix:a:${accountId}:${kind}:${status}`,
      batch: (batchId: string) => `${prefix}:ix:b:${batchId}`,
      userAccounts: (userId: string) => `${prefix}:ix:ua:${userId}`,
      counts: `${prefix}:ix:n`,
      ready: `${prefix}:ix:ready`,
      /** Whether a rebuild from MongoDB is under way, and how far it got. */
      rebuild: `${prefix}:ix:rebuild`,
    },
    /** Statistics per user and creation hour (task-state.ts), and the hours that have any. */
    stats: {
      hour: (userId: string, hour: number) => `${prefix}:st:${userId}:h:${hour}`,
      hours: (userId: string) => `${prefix}:st:${userId}:hours`,
    },
    cancelChannel: `${prefix}:cancel`,
    sessionRevokedChannel: `${prefix}:session-revoked`,
    tokenRevokedChannel: `${prefix}:token-revoked`,
    /** Per user: Zhihu article id -> the last task submitted for it (one unfinished task per article). */
    articleTasks: (userId: string) => `${prefix}:article-tasks:${userId}`,
    /** Held for a moment while a submission for that article is checked and saved. */
    articleLock: (userId: string, articleId: string) => `${prefix}:article-lock:${userId}:${articleId}`,
    workers: `${prefix}:workers`,
    leader: `${prefix}:leader`,
    /** Incremented by each new leader: the epoch its lease carries. */
    leaderEpoch: `${prefix}:leader:epoch`,
    projectorCheckpoint: `${prefix}:projector:last`,
    rateLimit: `${prefix}:rl`,
  };
}
export type RedisKeys = ReturnType<typeof redisKeys>;
