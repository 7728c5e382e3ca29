/**
 * The old system (Flask + RQ) cannot be run here, so its figures are quoted, never measured: from
 * its own completion report, kept at /work/shared/seed/000_405f136bb299643f.txt ("多线程异步发布功能 -
 * 完成报告", 2025-12-10). Every use says "quoted" and names the line.
 */
export const OLD_SYSTEM_SOURCE = '`/work/shared/seed/000_405f136bb299643f.txt` (the old system\'s completion report, 2025-12-10)';

export const OLD_SYSTEM = {
  /** "API立即返回（<1秒）" (line 28), "用户等待时间 <1秒" (line 206): an upper bound, not a measurement. */
  submit: { text: 'under 1 s per submission (an upper bound it states, not a measurement)', lines: '28, 206' },
  /** "每5秒自动刷新任务状态" (line 64): a change is seen 0-5 s later, 2.5 s on average. */
  poll: { everyS: 5, text: 'the page polled every 5 s: a change showed 0-5 s later, 2.5 s on average', lines: '64, 102' },
  /** "总处理时间 40秒" for 10 articles with 4 workers (line 207). */
  ten: { seconds: 40, text: '40 s for 10 articles with 4 RQ workers', lines: '207' },
} as const;

/** "(quoted: … ; source, lines …)" */
export function quoted(which: keyof typeof OLD_SYSTEM): string {
  return `quoted, not measured: ${OLD_SYSTEM[which].text} (${OLD_SYSTEM_SOURCE}, line ${OLD_SYSTEM[which].lines})`;
}
