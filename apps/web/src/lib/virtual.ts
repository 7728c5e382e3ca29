/** Which rows of a fixed-row-height list are on screen (plus a margin), for virtual scrolling. */
export interface VisibleRange {
  start: number;
  /** Exclusive. */
  end: number;
}

export function visibleRange(scrollTop: number, viewportHeight: number, rowHeight: number, count: number, overscan = 8): VisibleRange {
  if (count <= 0 || rowHeight <= 0) return { start: 0, end: 0 };
  const first = Math.floor(Math.max(0, scrollTop) / rowHeight);
  const last = Math.ceil((Math.max(0, scrollTop) + Math.max(0, viewportHeight)) / rowHeight);
  const start = Math.max(0, Math.min(count, first - overscan));
  const end = Math.max(start, Math.min(count, last + overscan));
  return { start, end };
}

/** Whether the rows on screen are close enough to the end of what is loaded to fetch more. */
export function nearEnd(range: VisibleRange, loaded: number, threshold = 30): boolean {
  return range.end >= loaded - threshold;
}
