/** How many terminal columns text takes: CJK and full-width characters take two. */
const WIDE = /[\u1100-\u115f\u2e80-\u303e\u3041-\u33ff\u3400-\u4dbf\u4e00-\u9fff\ua000-\ua4cf\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]/u;

export function displayWidth(s: string): number {
  let w = 0;
  for (const ch of s) w += WIDE.test(ch) ? 2 : 1;
  return w;
}

/** `s` cut to at most `max` columns. */
export function fit(s: string, max: number): string {
  let w = 0;
  let out = '';
  for (const ch of s) {
    w += WIDE.test(ch) ? 2 : 1;
    if (w > max) return out;
    out += ch;
  }
  return out;
}
