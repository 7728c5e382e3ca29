/** Markdown read line by line, knowing which lines sit inside fenced code blocks. */
const FENCE = /^ {0,3}(`{3,}|~{3,})/;

/** Lines of a text, with a BOM dropped and CRLF/CR turned into LF. */
export function lines(text: string): string[] {
  return text.replace(/^\uFEFF/, '').replace(/\r\n?/g, '\n').split('\n');
}

/** Calls `visit` with each line and whether it is inside a fenced code block. */
export function walk(all: readonly string[], visit: (line: string, i: number, inFence: boolean) => void): void {
  let fence: string | null = null;
  all.forEach((line, i) => {
    const m = FENCE.exec(line);
    if (fence === null && m?.[1]) {
      fence = m[1];
      visit(line, i, true);
      return;
    }
    if (fence !== null) {
      const close = m?.[1];
      if (close && close[0] === fence[0] && close.length >= fence.length && line.trim() === close) fence = null;
      visit(line, i, true);
      return;
    }
    visit(line, i, false);
  });
}
