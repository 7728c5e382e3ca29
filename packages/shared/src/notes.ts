/**
 * What happened at a step of a task, as a code and its facts instead of a sentence (a "note"):
 * each reader gets it in their own language. NOTES lists every code with the facts it carries;
 * NOTE_EN says each in English (logs, the API's `message` fields, the SPA's English screens).
 */
import { z } from 'zod';

/**
 * A text made of our own words (strings) and data (names, numbers, addresses, Zhihu's own
 * words), kept apart so a screen can mark the data (it is never translated) and format times.
 */
export type Part = string | { data: string; time?: true };
export type Parts = Part[];

/**
 * Tagged template for texts: the literal is our words; an interpolated string or number is data;
 * an interpolated `Parts` (a nested `tx`) is words again, for optional or chosen phrases.
 */
export function tx(strings: TemplateStringsArray, ...values: (string | number | Part | Parts)[]): Parts {
  const out: Parts = [];
  strings.forEach((literal, i) => {
    if (literal) out.push(literal);
    if (i >= values.length) return;
    const v = values[i];
    if (Array.isArray(v)) out.push(...v);
    else if (typeof v === 'object' && v !== undefined) out.push(v);
    else if (v !== undefined && v !== '') out.push({ data: String(v) });
  });
  return out;
}

/** An ISO date-time as data that a screen shows in its reader's time format. */
export function time(iso: string): Part {
  return { data: iso, time: true };
}

/** The text of parts, data as it is. */
export function plainText(parts: Parts): string {
  return parts.map((p) => (typeof p === 'string' ? p : p.data)).join('');
}

const text = z.string().max(2000);
const count = z.number().int().min(0);
const status = z.number().int();
/** What a Zhihu answer said, when it said something (its own words). */
const said = text.optional();

/** The buttons the flow clicks on Zhihu's page are named as Zhihu names them (发布, 确认发布). */
const button = text;
const update = z.boolean().optional();

/** Every note code and the facts it carries. A code, once released, keeps its meaning. */
export const NOTES = {
  // --- steps of an attempt (event notes) ---
  claimed: z.object({ worker: text }),
  claimedAgain: z.object({ taken: count, worker: text, attempt: count }),
  loggedIn: z.object({ name: text }),
  imagesHosted: z.object({ count }),
  /** `articleId`: an existing article opened for an update (or, with `draft`, its draft). */
  editorFilled: z.object({ layout: z.enum(['today', 'legacy']), articleId: text.optional(), draft: z.boolean().optional() }),
  /** `articleId`: the click updates that article. */
  publishClicked: z.object({ articleId: text.optional() }),
  pageReached: z.object({ path: text }),
  // `update`: the article existed and the proof is its new title and body.
  provenOnPage: z.object({ update }),
  provenAfterRisk: z.object({ button, update }),
  provenEditorStayed: z.object({ button, update }),
  alreadyPublished: z.object({}),
  alreadyUpdated: z.object({}),
  drafted: z.object({ holds: z.array(z.enum(['title', 'body', 'cover', 'topics'])), later: z.array(z.enum(['topics', 'column', 'statement', 'comment'])) }),
  unconfirmedRisk: z.object({ button, update }),
  unconfirmedNotPublished: z.object({ update }),
  unconfirmedNoPage: z.object({ seconds: count, button, update }),
  unconfirmedDraft: z.object({ path: text }),
  handedBack: z.object({ worker: text }),
  /** MongoDB stayed out of reach while the worker recorded its claim or read the task. */
  storeUnreachable: z.object({ step: z.enum(['claim', 'read']) }),
  // --- what the server did (event notes) ---
  queueUnavailable: z.object({}),
  queueEntryLost: z.object({}),
  workerGone: z.object({}),
  cancelledByUser: z.object({}),
  retryRequested: z.object({}),
  scheduled: z.object({ at: text }),
  unscheduled: z.object({}),
  removedByUser: z.object({}),
  registeredLate: z.object({}),
  reannounced: z.object({}),
  repairedAfterGap: z.object({}),
  restoredFromMongo: z.object({}),
  // --- why an attempt stopped (error details) ---
  tabCrashed: z.object({}),
  editorClosed: z.object({ articleId: text }),
  articleMissing: z.object({ articleId: text }),
  articleForeign: z.object({ articleId: text }),
  articleNotEditable: z.object({ articleId: text }),
  topicNoRemove: z.object({ topic: text, selector: text }),
  topicNotRemoved: z.object({ topic: text }),
  topicRemoveRefused: z.object({ topic: text, status }),
  draftStopped: z.object({}),
  draftNotSaved: z.object({ seconds: count }),
  taskMissing: z.object({}),
  titleLength: z.object({ chars: count, max: count }),
  cookiesUnreadable: z.object({}),
  timedOut: z.object({ cause: text }),
  tabGone: z.object({ cause: text }),
  unreachable: z.object({ cause: text }),
  unexpected: z.object({ cause: text }),
  loginNoAnswer: z.object({}),
  loginCaptcha: z.object({}),
  loginRisk: z.object({}),
  loginHttp: z.object({ status }),
  loginNotJson: z.object({}),
  loginNoAccount: z.object({}),
  checkFailed: z.object({ cause: text }),
  buttonMissing: z.object({ button }),
  elementMissing: z.object({ element: z.enum(['title', 'body', 'publishPanel', 'topicSearch']), selector: text }),
  unknownBodyEditor: z.object({ selector: text }),
  editorSignin: z.object({}),
  editorCaptcha: z.object({}),
  editorHttp: z.object({ status }),
  editorNotFilled: z.object({}),
  noDraft: z.object({}),
  topicNoSuggestion: z.object({ topic: text }),
  topicNotSaved: z.object({ topic: text }),
  topicRefused: z.object({ topic: text, status, said }),
  controlMissing: z.object({ control: z.enum(['column', 'statement', 'comment']), selector: text }),
  optionUnavailable: z.object({ control: z.enum(['statement', 'comment']), option: text, selector: text }),
  columnNotOffered: z.object({ column: text, offered: text }),
  coverRefused: z.object({ status, said }),
  imageRehostRefused: z.object({ image: text, status, said }),
  imageNoTicket: z.object({ image: text, status, said }),
  imageNoToken: z.object({ image: text }),
  imagePutRefused: z.object({ image: text, status }),
  imageNoReport: z.object({ image: text, status }),
  imageNotReady: z.object({ image: text, seconds: count }),
  imageInvalid: z.object({ image: text }),
  imageGone: z.object({ image: text }),
  refused: z.object({ said: text, zhihuCode: z.number().int().optional() }),
  toast: z.object({ said: text }),
  captchaPage: z.object({ button }),
  signinPage: z.object({ button }),
  listUnreadable: z.object({ reason: z.enum(['http', 'noAnswer', 'notList']), status: status.optional() }),
} as const;

export type NoteCode = keyof typeof NOTES;
export const NOTE_CODES = Object.keys(NOTES) as [NoteCode, ...NoteCode[]];
export type NoteParams<C extends NoteCode> = z.infer<(typeof NOTES)[C]>;
export type Note = { [C in NoteCode]: { code: C; params: NoteParams<C> } }[NoteCode];

/** A note, with its parameters checked by the type of its code (none for a code without facts). */
export function note<C extends NoteCode>(code: C, ...params: string extends keyof NoteParams<C> ? [] : [NoteParams<C>]): Note {
  return { code, params: params[0] ?? {} } as Note;
}

/**
 * A note as it travels (events, errors, stored timelines). Loose on purpose: a reader older than
 * the writer meets codes it does not know and must still show the rest (see `knownNote`).
 */
export const noteSchema = z.object({ code: z.string().max(100), params: z.record(z.string(), z.unknown()).optional() });
export type WireNote = z.infer<typeof noteSchema>;

/** The note if this reader knows its code and its facts, else null (show the stage instead). */
export function knownNote(value: unknown): Note | null {
  const wire = noteSchema.safeParse(value);
  if (!wire.success || !Object.hasOwn(NOTES, wire.data.code)) return null;
  // A store may drop an empty `params` (MongoDB documents are minimized): no facts is `{}`.
  const params = NOTES[wire.data.code as NoteCode].safeParse(wire.data.params ?? {});
  return params.success ? ({ code: wire.data.code, params: params.data } as Note) : null;
}

/** One text per note code, in one language. */
export type NoteTexts = { [C in NoteCode]: (p: NoteParams<C>) => Parts };

const withSaid = (status: number, s: string | undefined) => tx`HTTP ${status}${s ? tx`: ${s}` : []}`;
const says = (update: boolean | undefined) => (update ? tx`shows the new title and body` : tx`says published`);
const shown = (update: boolean | undefined) => (update ? tx`does not show the new version` : tx`does not show the article`);
const DRAFT_PARTS_EN = { title: 'title', body: 'body', cover: 'cover', topics: 'topics', column: 'column', statement: 'creation statement', comment: 'comment permission' } as const;
/** `a`, `a and b`, `a, b and c`. */
const listEn = (items: string[]): Parts => tx`${[items.length > 1 ? `${items.slice(0, -1).join(', ')} and ${items.at(-1) ?? ''}` : (items[0] ?? '')]}`;
const ELEMENTS_EN = { title: 'The title field', body: 'The body editor', publishPanel: 'The publish panel', topicSearch: 'The topic search box' } as const;
const CONTROLS_EN = { column: 'column', statement: 'creation statement', comment: 'comment permission' } as const;

export const NOTE_EN: NoteTexts = {
  claimed: (p) => tx`started by worker ${p.worker}`,
  claimedAgain: (p) => tx`attempt ${p.taken} was already taken before Redis lost its latest writes; started by worker ${p.worker} as attempt ${p.attempt}`,
  loggedIn: (p) => tx`logged in as ${p.name}`,
  imagesHosted: (p) => tx`${p.count} ${p.count === 1 ? tx`image` : tx`images`} on Zhihu's image host`,
  editorFilled: (p) =>
    tx`${p.articleId === undefined ? [] : p.draft ? tx`draft of article ${p.articleId}: ` : tx`article ${p.articleId} opened for an update, `}title and body filled (${
      p.layout === 'today' ? tx`today's editor` : tx`legacy editor`
    })`,
  publishClicked: (p) => tx`publish clicked${p.articleId === undefined ? [] : tx` (update of article ${p.articleId})`}`,
  pageReached: (p) => tx`article page ${p.path} reached`,
  provenOnPage: (p) => tx`the article page, opened in the account's session, ${says(p.update)}`,
  provenAfterRisk: (p) => tx`Zhihu showed 40362 (risk control) after ${p.button}, but the article page, opened in the account's session, ${says(p.update)}`,
  provenEditorStayed: (p) => tx`the editor did not move on after ${p.button}, but the article page, opened in the account's session, ${says(p.update)}`,
  alreadyPublished: () => tx`already published by an earlier attempt`,
  alreadyUpdated: () => tx`already updated by an earlier attempt: the article page, opened in the account's session, shows the new title and body`,
  drafted: (p) =>
    tx`saved to Zhihu's drafts, not published (the draft holds the ${listEn(p.holds.map((h) => DRAFT_PARTS_EN[h]))}; ${listEn(p.later.map((h) => DRAFT_PARTS_EN[h]))} are set when it is published); its editor, opened in the account's session, shows the title`,
  unconfirmedRisk: (p) => tx`Zhihu showed 40362 (risk control) after ${p.button} and the article page ${shown(p.update)}`,
  unconfirmedNotPublished: (p) => tx`The article page opened but, opened in the account's session, it ${p.update ? tx`does not show the new title and body` : tx`does not say published`}`,
  unconfirmedNoPage: (p) => tx`No article page within ${p.seconds} s of ${p.button}, and the article page ${shown(p.update)}`,
  unconfirmedDraft: (p) =>
    tx`Zhihu answered the draft save, but the draft's editor (${p.path}), opened in the account's session, does not show the title. Nothing was published; check the account's drafts on Zhihu`,
  handedBack: (p) => tx`worker ${p.worker} is shutting down; handed back to the queue`,
  storeUnreachable: (p) => tx`MongoDB could not be reached to ${p.step === 'claim' ? tx`record the claim` : tx`read the task`}; handed back to the queue`,
  queueUnavailable: () => tx`the queue was unavailable`,
  queueEntryLost: () => tx`requeued: its queue entry was lost`,
  workerGone: () => tx`requeued: its worker and its queue entry are gone`,
  cancelledByUser: () => tx`cancelled by the user`,
  retryRequested: () => tx`retry requested`,
  scheduled: (p) => tx`scheduled for ${time(p.at)}`,
  unscheduled: () => tx`schedule removed`,
  removedByUser: () => tx`removed by the user`,
  registeredLate: () => tx`saved before a crash; registration finished by the reconciler`,
  reannounced: () => tx`Redis had lost recent changes of this task; its live state is announced again`,
  repairedAfterGap: () => tx`state repaired after the event stream was trimmed`,
  restoredFromMongo: () => tx`restored from MongoDB into a Redis that had lost it`,
  tabCrashed: () => tx`The browser tab crashed (Chromium: "Page crashed!")`,
  editorClosed: (p) => tx`The editor of article ${p.articleId} closed before it loaded`,
  articleMissing: (p) => tx`Zhihu has no article ${p.articleId} for this account to edit (its editor answered 404)`,
  articleForeign: (p) => tx`Article ${p.articleId} belongs to another Zhihu account (its editor answered 403, no permission)`,
  articleNotEditable: (p) => tx`Zhihu showed article ${p.articleId} instead of its editor: this account cannot edit it`,
  topicNoRemove: (p) => tx`The topic "${p.topic}" has no remove button (${p.selector})`,
  topicNotRemoved: (p) => tx`The editor did not take the topic "${p.topic}" off the draft`,
  topicRemoveRefused: (p) => tx`Zhihu did not take the topic "${p.topic}" off (HTTP ${p.status})`,
  draftStopped: () => tx`The attempt was stopped while the draft was being saved`,
  draftNotSaved: (p) => tx`The editor did not confirm saving this title and body to the draft (PATCH /api/articles/<id>/draft) within ${p.seconds} s`,
  taskMissing: () => tx`The task record is missing`,
  titleLength: (p) => tx`The title has ${p.chars} characters; Zhihu takes at most ${p.max}`,
  cookiesUnreadable: () => tx`The stored cookies of this account cannot be read (was the secret key changed?)`,
  timedOut: (p) => tx`Zhihu did not answer in time (${p.cause})`,
  tabGone: (p) => tx`The browser tab went away (${p.cause})`,
  unreachable: (p) => tx`Zhihu could not be reached (${p.cause})`,
  unexpected: (p) => tx`Unexpected error: ${p.cause}`,
  loginNoAnswer: () => tx`The login check (GET /api/v4/me) got no answer`,
  loginCaptcha: () => tx`Zhihu asked for a captcha at the login check`,
  loginRisk: () => tx`Zhihu answered 40362 to the login check`,
  loginHttp: (p) => tx`Zhihu answered HTTP ${p.status} to the login check`,
  loginNotJson: () => tx`The login check did not answer with an account`,
  loginNoAccount: () => tx`The login check did not name an account`,
  checkFailed: (p) => tx`The login check could not run (${p.cause})`,
  buttonMissing: (p) => tx`The "${p.button}" button is missing`,
  elementMissing: (p) => tx`${ELEMENTS_EN[p.element]} is missing (${p.selector})`,
  unknownBodyEditor: (p) => tx`The editor page has a body editor the publisher does not know (no ${p.selector})`,
  editorSignin: () => tx`The editor sent the browser to the sign-in page`,
  editorCaptcha: () => tx`The editor sent the browser to the captcha page`,
  editorHttp: (p) => tx`The editor answered HTTP ${p.status}`,
  editorNotFilled: () => tx`The editor did not take the title or the body`,
  noDraft: () => tx`The editor did not save a draft (POST /api/articles/drafts) after it was filled`,
  topicNoSuggestion: (p) => tx`No topic suggestion for "${p.topic}"`,
  topicNotSaved: (p) => tx`The editor did not save the topic "${p.topic}" to the draft`,
  topicRefused: (p) => tx`Zhihu did not take the topic "${p.topic}" (${withSaid(p.status, p.said)})`,
  controlMissing: (p) => tx`The ${CONTROLS_EN[p.control]} control is missing (${p.selector})`,
  optionUnavailable: (p) => tx`The ${CONTROLS_EN[p.control]} "${p.option}" cannot be chosen (${p.selector})`,
  columnNotOffered: (p) => tx`Zhihu does not offer the column ${p.column} to this account (it offers: ${p.offered}); choose one of the account's columns`,
  coverRefused: (p) => tx`Zhihu did not take the cover (${withSaid(p.status, p.said)})`,
  imageRehostRefused: (p) => tx`Zhihu did not re-host the image ${p.image} (${withSaid(p.status, p.said)})`,
  imageNoTicket: (p) => tx`Zhihu gave no upload ticket for the uploaded image ${p.image} (${withSaid(p.status, p.said)})`,
  imageNoToken: (p) => tx`Zhihu's upload ticket for the uploaded image ${p.image} carries no upload token`,
  imagePutRefused: (p) => tx`The image host refused the uploaded image ${p.image} (HTTP ${p.status})`,
  imageNoReport: (p) => tx`Zhihu did not report on the uploaded image ${p.image} (HTTP ${p.status})`,
  imageNotReady: (p) => tx`Zhihu did not finish processing the uploaded image ${p.image} within ${p.seconds} s`,
  imageInvalid: (p) => tx`The image ${p.image} is neither a web address nor an uploaded image (/assets/<sha256>)`,
  imageGone: (p) => tx`The uploaded image ${p.image} is no longer in zpub; upload it again`,
  refused: (p) => tx`Zhihu refused to publish: "${p.said}"${p.zhihuCode === undefined ? [] : tx` (${p.zhihuCode})`}`,
  toast: (p) => tx`Zhihu showed "${p.said}"`,
  captchaPage: (p) => tx`Zhihu showed its captcha page after ${p.button} (40352)`,
  signinPage: (p) => tx`Zhihu sent the editor to the sign-in page after ${p.button}`,
  listUnreadable: (p) =>
    tx`An earlier attempt clicked to publish, and the account's article list could not be read to check for it (${
      p.reason === 'http' ? tx`HTTP ${p.status ?? 0}` : p.reason === 'noAnswer' ? tx`no answer` : tx`not a list of articles`
    })`,
};

/** A note's text in the given language's table; `texts` is typed per code, so the cast is safe. */
export function noteParts(n: Note, texts: NoteTexts): Parts {
  return (texts[n.code] as (p: Note['params']) => Parts)(n.params);
}

/** A note in English, as one line (logs, `message` fields). */
export function noteText(n: Note): string {
  return plainText(noteParts(n, NOTE_EN));
}
