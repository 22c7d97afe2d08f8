/**
 * Byte progress for long work, drawn on stderr only when it is a terminal and CI is unset,
 * so pipes and CI logs stay clean.
 */
export class Progress {
  private done = 0;
  private lastDraw = 0;
  private readonly active: boolean;

  constructor(
    private readonly label: string,
    private readonly total?: number,
  ) {
    this.active = Boolean(process.stderr.isTTY) && !process.env.CI;
  }

  add(bytes: number): void {
    this.done += bytes;
    if (!this.active) return;
    const now = Date.now();
    if (now - this.lastDraw < 100) return;
    this.lastDraw = now;
    this.draw();
  }

  finish(): void {
    if (!this.active) return;
    this.draw();
    process.stderr.write('\n');
  }

  private draw(): void {
    const mib = (n: number) => (n / (1 << 20)).toFixed(1);
    const of = this.total ? ` / ${mib(this.total)} MiB (${Math.floor((100 * this.done) / this.total)}%)` : ' MiB';
    process.stderr.write(`\r${this.label}: ${mib(this.done)}${of}\x1b[K`);
  }
}
