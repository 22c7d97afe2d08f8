/**
 * Progress of long work on stderr, the one reporter every long step uses. On a terminal (CI
 * unset) it redraws one line, at most ten times a second; in a pipe or CI it prints
 * `jetpack: LABEL: started`, a status line at most once per interval (10 s, or
 * JETPACK_PROGRESS_INTERVAL_MS) and `jetpack: LABEL: done in Xs (…)`; with -quiet
 * (JETPACK_QUIET=1) nothing.
 */

export type ProgressMode = 'terminal' | 'log' | 'quiet';

/** What the reporter writes to and reads the time from: stderr and the clock, or a test's. */
export interface ProgressIO {
  stream: { write(text: string): unknown; isTTY?: boolean; columns?: number };
  now: () => number;
  env: NodeJS.ProcessEnv;
  /** Calls `tick` every `ms` until the returned function is called. */
  every: (ms: number, tick: () => void) => () => void;
}

export interface ProgressOptions {
  /** The total, in bytes or items, for a percentage. */
  total?: number;
  /** What is counted: bytes (the default) or items named so ("files", "images"). */
  items?: string;
  /**
   * Drawn on a terminal only, silent in a pipe or CI: for a download, whose refusal (too large,
   * not an ACI) must stay the one line a log gets.
   */
  terminalOnly?: boolean;
}

const REDRAW_MS = 100;
const TERMINAL_TICK_MS = 1000;
const DEFAULT_INTERVAL_MS = 10_000;
/** Lines of a child's output kept for its failure, when they were not all shown. */
const KEPT_LINES = 40;

function every(ms: number, tick: () => void): () => void {
  const timer = setInterval(tick, ms);
  timer.unref();
  return () => clearInterval(timer);
}

const defaultIO = (): ProgressIO => ({ stream: process.stderr, now: Date.now, env: process.env, every });

/** How progress is shown: -quiet wins, then a terminal without CI, else log lines. */
export function progressMode(io: Pick<ProgressIO, 'stream' | 'env'> = defaultIO()): ProgressMode {
  if (isOn(io.env.JETPACK_QUIET)) return 'quiet';
  return io.stream.isTTY && !isOn(io.env.CI) ? 'terminal' : 'log';
}

const isOn = (value: string | undefined): boolean => Boolean(value) && value !== '0' && value !== 'false';

/** The log lines' interval: JETPACK_PROGRESS_INTERVAL_MS when it is a positive number, else 10 s. */
function logInterval(env: NodeJS.ProcessEnv): number {
  const ms = Number(env.JETPACK_PROGRESS_INTERVAL_MS);
  return Number.isFinite(ms) && ms > 0 ? ms : DEFAULT_INTERVAL_MS;
}

const UNITS = ['KiB', 'MiB', 'GiB', 'TiB'];

/** "512 B", "40.0 KiB", "1.2 MiB": a small upload or download is not "0.0 MiB". */
export function byteSize(n: number): string {
  if (n < 1024) return `${Math.round(n)} B`;
  let unit = 0;
  for (n /= 1024; n >= 1024 && unit < UNITS.length - 1; unit++) n /= 1024;
  return `${n.toFixed(1)} ${UNITS[unit]}`;
}

function seconds(ms: number): string {
  const s = ms / 1000;
  return s < 10 ? `${s.toFixed(1)}s` : `${Math.round(s)}s`;
}

export class Progress {
  private done = 0;
  private latest: string | undefined;
  private readonly kept: string[] = [];
  private hidden = 0;
  private readonly started: number;
  private lastDrawn = 0;
  /** A terminal line is drawn and not ended yet. */
  private drawn = false;
  private readonly mode: ProgressMode;
  private readonly stopTimer: () => void = () => {};
  private ended = false;

  constructor(
    private readonly label: string,
    private readonly opts: ProgressOptions = {},
    private readonly io: ProgressIO = defaultIO(),
  ) {
    const mode = progressMode(io);
    this.mode = opts.terminalOnly && mode === 'log' ? 'quiet' : mode;
    this.started = io.now();
    if (this.mode === 'quiet') return;
    if (this.mode === 'log') this.write(`jetpack: ${label}: started\n`);
    // Log lines come from the timer alone, so never two within an interval; on a terminal it
    // redraws the elapsed time of work that reports nothing for a while (a silent child).
    this.stopTimer = io.every(this.mode === 'terminal' ? TERMINAL_TICK_MS : logInterval(io.env), () => this.show());
  }

  /** Counts `n` more bytes (or items). */
  add(n = 1): void {
    this.done += n;
    this.redraw();
  }

  /** A line of a child's own progress output (mmdebstrap's, ostree's), shown as the status. */
  line(text: string): void {
    const line = text.replace(/\s+$/, '');
    if (!line) return;
    this.latest = line;
    this.kept.push(line);
    if (this.kept.length > KEPT_LINES) this.kept.shift();
    this.hidden++;
    this.redraw();
  }

  /** The work succeeded: the last status and the time it took. */
  finish(): void {
    if (!this.end()) return;
    const elapsed = this.io.now() - this.started;
    const summary = this.counted(elapsed);
    const line = `jetpack: ${this.label}: done in ${seconds(elapsed)}${summary ? ` (${summary})` : ''}`;
    this.write(this.mode === 'terminal' ? `\r${line}\x1b[K\n` : `${line}\n`);
  }

  /**
   * The work failed: the terminal line is ended, and the child's last lines that were not shown
   * are printed, so that the error that follows has its context.
   */
  fail(): void {
    if (!this.end()) return;
    if (this.drawn) this.write('\n');
    const unseen = this.mode === 'terminal' ? this.kept : this.kept.slice(this.kept.length - Math.min(this.hidden, this.kept.length));
    for (const line of unseen) this.write(`${this.label}: ${line}\n`);
  }

  private end(): boolean {
    if (this.ended) return false;
    this.ended = true;
    this.stopTimer();
    return this.mode !== 'quiet';
  }

  /** A terminal's line after a count or a child's line, at most every REDRAW_MS. */
  private redraw(): void {
    if (this.mode !== 'terminal' || this.ended) return;
    const now = this.io.now();
    if (now - this.lastDrawn < REDRAW_MS) return;
    this.lastDrawn = now;
    this.show();
  }

  private show(): void {
    if (this.ended) return;
    const status = this.status(this.io.now() - this.started);
    if (this.mode === 'terminal') {
      const width = Math.max(20, (this.io.stream.columns ?? 80) - 1);
      this.write(`\r${`jetpack: ${this.label}: ${status}`.slice(0, width)}\x1b[K`);
      this.drawn = true;
    } else {
      this.hidden = 0;
      this.write(`jetpack: ${this.label}: ${status}\n`);
    }
  }

  /** "12.0 MiB / 40.0 MiB (30%), 3.1 MiB/s, 4.0s", "12 / 40 files (30%), 4.0s", a child's line. */
  private status(elapsed: number): string {
    if (this.latest !== undefined) return `${this.latest} (${seconds(elapsed)})`;
    const counted = this.counted(elapsed);
    return counted ? `${counted}, ${seconds(elapsed)}` : seconds(elapsed);
  }

  private counted(elapsed: number): string | undefined {
    const { total, items } = this.opts;
    if (!this.done && total === undefined) return undefined;
    const percent = total ? ` (${Math.min(100, Math.floor((100 * this.done) / total))}%)` : '';
    if (items) return `${this.done}${total === undefined ? '' : ` / ${total}`} ${items}${percent}`;
    const rate = elapsed > 0 ? `, ${byteSize((this.done * 1000) / elapsed)}/s` : '';
    return `${byteSize(this.done)}${total === undefined ? '' : ` / ${byteSize(total)}`}${percent}${rate}`;
  }

  private write(text: string): void {
    this.io.stream.write(text);
  }
}

/** Runs `work` with a Progress that is finished when it succeeds and failed when it throws. */
export async function withProgress<T>(label: string, opts: ProgressOptions, work: (progress: Progress) => Promise<T>, io?: ProgressIO): Promise<T> {
  const progress = new Progress(label, opts, io);
  try {
    const result = await work(progress);
    progress.finish();
    return result;
  } catch (err) {
    progress.fail();
    throw err;
  }
}
