/** Bounds on every input. Zhihu itself refuses titles over 100 characters and more than 3 topics. */
export const LIMITS = {
  emailMax: 254,
  passwordMin: 8,
  passwordMax: 256,
  titleMax: 100,
  bodyMaxBytes: 1_000_000,
  topicsMax: 3,
  topicMax: 50,
  batchMax: 500,
  cookieMaxBytes: 16 * 1024,
  accountNameMax: 60,
  pageMax: 100,
  idMax: 64,
  tokenNameMax: 60,
  /** Personal API tokens one user may hold at once. */
  tokensMax: 50,
} as const;
