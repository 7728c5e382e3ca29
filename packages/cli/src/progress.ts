/**
 * Progress of the articles being published, from the task events. On a terminal: a bar per
 * article, redrawn in place (at most a screenful; the rest is counted in a summary line).
 * Elsewhere (a pipe, CI, a test): one line each time an article reaches a new stage.
 */
import { isTerminal, knownNote, type TaskEvent, type TaskStatus } from '@zpub/shared';
import { t } from './i18n';
import { fit } from './width';

export interface Line {
  name: string;
  status: TaskStatus;
  progress: number;
  stage: string;
  /** The last event applied (versions only grow). */
  v: number;
  url?: string;
  articleId?: string;
  error?: string;
}

const WIDTH = 20;

export interface Output {
  write(s: string): unknown;
  isTTY?: boolean;
  rows?: number;
  columns?: number;
}

export class Progress {
  private drawn = 0;
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly out: Output,
    readonly lines: Map<string, Line>,
    private readonly color: boolean,
  ) {}

  /** Applies an event; returns the line when the task just ended. */
  apply(e: Pick<TaskEvent, 'taskId' | 'status' | 'progress' | 'stage' | 'v' | 'result' | 'error' | 'note'>): Line | null {
    const line = this.lines.get(e.taskId);
    if (!line || e.v <= line.v) return null;
    const wasEnded = isTerminal(line.status);
    const newStage = line.stage !== e.stage || line.status !== e.status;
    line.status = e.status;
    line.progress = e.progress;
    line.stage = e.stage;
    line.v = e.v;
    if (e.result) {
      line.url = e.result.url;
      line.articleId = e.result.articleId;
    }
    // Said in the run's language from the notes (what happened) and the code (what to do).
    const why = knownNote(e.note);
    if (e.error) line.error = `${e.error.code}: ${t.taskError(e.error, e.status === 'unconfirmed')}`;
    else if (e.status === 'unconfirmed' && why) line.error = t.unconfirmed(why);
    if (e.status === 'pending') line.error = undefined;
    if (this.out.isTTY) this.schedule();
    else if (newStage) this.out.write(`${this.describe(line)}\n`);
    return !wasEnded && isTerminal(line.status) ? line : null;
  }

  /** Draws the current state once (the first frame, and the last). */
  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.out.isTTY) this.draw();
  }

  private schedule(): void {
    this.timer ??= setTimeout(() => {
      this.timer = null;
      this.draw();
    }, 100);
  }

  private draw(): void {
    const all = [...this.lines.values()];
    // A pseudo-terminal may report 0 rows and columns: fall back to a common size.
    const room = Math.max(3, (this.out.rows || 24) - 3);
    let shown = all;
    let summary = '';
    if (all.length > room) {
      // The ones moving (or just ended badly) matter most; the rest are counted.
      shown = all.filter((l) => l.status === 'running' || l.status === 'queued').slice(0, room - 1);
      const count = (s: TaskStatus[]) => all.filter((l) => s.includes(l.status)).length;
      summary = t.progressSummary(count(['success']), count(['failed', 'cancelled', 'unconfirmed']), count(['running', 'queued']), count(['pending']));
    }
    const width = this.out.columns || 100;
    const text = [...shown.map((l) => this.describe(l)), ...(summary ? [summary] : [])].map((s) => fit(s, Math.max(20, width - 1)));
    let frame = this.drawn > 0 ? `\x1b[${this.drawn}F` : '';
    for (const t of text) frame += `\x1b[2K${t}\n`;
    // A shorter frame than the last one: clear what is left below.
    for (let i = text.length; i < this.drawn; i++) frame += '\x1b[2K\n';
    this.out.write(frame);
    this.drawn = Math.max(text.length, this.drawn);
  }

  describe(l: Line): string {
    const filled = Math.round((l.progress / 100) * WIDTH);
    const bar = `[${'#'.repeat(filled)}${'-'.repeat(WIDTH - filled)}]`;
    const pct = `${String(l.progress).padStart(3)}%`;
    const paint = (code: number, s: string) => (this.color && this.out.isTTY ? `\x1b[${code}m${s}\x1b[0m` : s);
    const word = t.statusWord(l.status, l.stage === 'drafted');
    const status = l.status === 'success' ? paint(32, word) : l.status === 'failed' || l.status === 'unconfirmed' ? paint(31, word) : word;
    const tail = l.status === 'success' && l.url ? `  ${l.url}` : l.error && isTerminal(l.status) ? `  ${l.error}` : '';
    // The coloured word comes before anything a narrow terminal may cut off.
    return `${bar} ${pct}  ${status}  ${l.name} (${t.stageWord(l.stage)})${tail}`;
  }
}
