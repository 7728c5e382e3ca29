import { z } from 'zod';

// Faults that tests switch on through POST /__sandbox/faults. Each fires at one moment of the
// publishing flow (see routes/) and counts one use when it does; a fault scoped to an author never
// fires for anyone else, and `times` omitted means "until reset".

export const FAULT_KINDS = [
  'login-expired',
  'captcha',
  'risk-after-publish',
  'phone-binding',
  'topic-required',
  'toast-error',
  'slow-redirect',
  'no-redirect',
  'editor-changed',
  'renderer-crash',
  'slow-page',
  'image-upload-failed',
] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

/**
 * A sandbox account name: 1-40 letters of any script, digits, `_`, `.` or `-` (`我的专栏`,
 * `alice`). It travels percent-encoded in the login cookie (`loginCookieValue`).
 */
export const ACCOUNT_NAME = /^[\p{L}\p{M}\p{N}_.-]{1,40}$/u;
const ACCOUNT_NAME_RULE = '1-40 letters (any script), digits, _ . or -';

const DEFAULT_MS = 5000;

const common = {
  times: z.number().int().min(1).max(1_000_000).optional(),
  author: z.string().regex(ACCOUNT_NAME, `must be ${ACCOUNT_NAME_RULE}`).optional(),
};
const msField = z.number().int().min(0).max(600_000).optional();

// One strict schema per kind, so `ms` on a kind that ignores it is an error rather than a silent no-op.
const specSchemas = {
  'slow-redirect': z.strictObject({ kind: z.literal('slow-redirect'), ...common, ms: msField }),
  'slow-page': z.strictObject({ kind: z.literal('slow-page'), ...common, ms: msField }),
  'no-redirect': z.strictObject({ kind: z.literal('no-redirect'), ...common, publish: z.boolean().optional() }),
  'risk-after-publish': z.strictObject({ kind: z.literal('risk-after-publish'), ...common, publish: z.boolean().optional() }),
} as const;
const plainSchema = z.strictObject({ kind: z.enum(FAULT_KINDS), ...common });

interface FaultInput {
  kind: FaultKind;
  times?: number | undefined;
  author?: string | undefined;
  ms?: number | undefined;
  publish?: boolean | undefined;
}

export interface Fault {
  id: string;
  kind: FaultKind;
  /** How many uses it was created with; null = until reset. */
  times: number | null;
  /** Uses left; null = unlimited. */
  remaining: number | null;
  /** Only this account; null = everyone. */
  author: string | null;
  ms?: number;
  publish?: boolean;
}

export class FaultSpecError extends Error {
  override name = 'FaultSpecError';
}

function describeIssues(error: z.ZodError): string {
  return error.issues
    .map((issue) => {
      const path = issue.path.map(String).join('.');
      return path ? `${path}: ${issue.message}` : issue.message;
    })
    .join('; ');
}

/** Validates a request body; throws FaultSpecError with a message that names the bad field. */
export function parseFaultSpec(input: unknown): Omit<Fault, 'id' | 'remaining'> {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    throw new FaultSpecError('body: expected a JSON object');
  }
  const kind = z.enum(FAULT_KINDS).safeParse((input as { kind?: unknown }).kind);
  if (!kind.success) {
    throw new FaultSpecError(`kind: expected one of ${FAULT_KINDS.join(', ')}`);
  }
  const schema: z.ZodType<FaultInput> =
    kind.data in specSchemas ? specSchemas[kind.data as keyof typeof specSchemas] : plainSchema;
  const parsed = schema.safeParse(input);
  if (!parsed.success) throw new FaultSpecError(describeIssues(parsed.error));
  const spec = parsed.data;
  const fault: Omit<Fault, 'id' | 'remaining'> = {
    kind: spec.kind,
    times: spec.times ?? null,
    author: spec.author ?? null,
  };
  if (spec.kind === 'slow-redirect' || spec.kind === 'slow-page') fault.ms = spec.ms ?? DEFAULT_MS;
  if (spec.kind === 'no-redirect' || spec.kind === 'risk-after-publish') fault.publish = spec.publish ?? true;
  return fault;
}

export class FaultRegistry {
  #faults: Fault[] = [];
  #nextId = 1;

  add(spec: Omit<Fault, 'id' | 'remaining'>): Fault {
    const fault: Fault = { ...spec, id: String(this.#nextId++), remaining: spec.times };
    this.#faults.push(fault);
    return { ...fault };
  }

  list(): Fault[] {
    return this.#faults.map((f) => ({ ...f }));
  }

  clear(): void {
    this.#faults = [];
  }

  /** Fires the oldest matching fault: counts one use and forgets it once used up. */
  take(kind: FaultKind, account: string): Fault | undefined {
    const fault = this.#find(kind, account);
    if (!fault) return undefined;
    if (fault.remaining !== null) {
      fault.remaining -= 1;
      if (fault.remaining <= 0) this.#faults = this.#faults.filter((f) => f !== fault);
    }
    return { ...fault };
  }

  #find(kind: FaultKind, account: string): Fault | undefined {
    return this.#faults.find((f) => f.kind === kind && (f.author === null || f.author === account));
  }
}
