/** Media queries as signals, for the few layout choices CSS alone cannot make. */
import { createSignal, onCleanup, type Accessor } from 'solid-js';

/** Phone-sized screens; styles.css uses the same width for its phone rules. */
export const PHONE = '(max-width: 640px)';

/** Whether `query` matches now, kept current while the calling component lives. */
export function createMediaQuery(query: string): Accessor<boolean> {
  if (typeof window === 'undefined' || typeof window.matchMedia !== 'function') return () => false;
  const list = window.matchMedia(query);
  const [matches, setMatches] = createSignal(list.matches);
  const update = (e: MediaQueryListEvent) => setMatches(e.matches);
  list.addEventListener('change', update);
  onCleanup(() => list.removeEventListener('change', update));
  return matches;
}
