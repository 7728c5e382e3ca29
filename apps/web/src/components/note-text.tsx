/**
 * Notes (what happened at a step of a task) in the reader's language. Values inside a text are
 * data (names, numbers, addresses, Zhihu's own words): marked `translate="no"`, never translated.
 */
import { knownNote, noteParts, type Part, type Parts } from '@zpub/shared';
import { For, Show, type JSX } from 'solid-js';
import { lang, t } from '../i18n';
import { formatTime } from '../lib/datetime';

/** A value shown as it is: a title, an email, an address, an id, Zhihu's words. */
export function Data(props: { children: JSX.Element; class?: string }) {
  return (
    <span class={props.class ? `data ${props.class}` : 'data'} translate="no">
      {props.children}
    </span>
  );
}

const partText = (p: Part) => (typeof p === 'string' ? p : p.time ? formatTime(p.data) : p.data);

/** Words as they are, data marked as data; a plain string is all words. */
export function PartsText(props: { parts: Parts | string }) {
  const parts = () => (typeof props.parts === 'string' ? [props.parts] : props.parts);
  return <For each={parts()}>{(p) => (typeof p === 'string' ? p : <Data>{partText(p)}</Data>)}</For>;
}

/** The parts of a note this app knows, in the reader's language; null for one it does not know. */
export function noteIn(value: unknown): Parts | null {
  const n = knownNote(value);
  return n ? noteParts(n, t.note) : null;
}

/** A note as one plain line (for `title` attributes and the like). */
export function noteLine(value: unknown): string {
  return (noteIn(value) ?? []).map(partText).join('');
}

/**
 * A note, or for one written before notes existed (or by a newer writer) its English `message`,
 * which only the English screens show: a Chinese screen shows nothing rather than English.
 */
export function NoteText(props: { note: unknown; legacy?: string | undefined; class?: string; testid?: string }) {
  const parts = () => noteIn(props.note);
  const legacy = () => (lang === 'en' ? props.legacy : undefined);
  return (
    <Show when={parts()} fallback={<Show when={legacy()}>{(text) => <span class={props.class} data-testid={props.testid} data-note="legacy">{text()}</span>}</Show>}>
      {(p) => (
        <span class={props.class} data-testid={props.testid} data-note={(props.note as { code: string }).code}>
          <PartsText parts={p()} />
        </span>
      )}
    </Show>
  );
}
