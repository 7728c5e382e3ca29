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
