/**
 * Background work shared by the outbox-style loops (batches, webhooks, pushes): `work` runs every
 * `intervalMs` and on `kick()`, never twice at once; `stop()` waits for the run in progress.
 */
export class SerialTicker {
  private timer: NodeJS.Timeout | undefined;
  private queue: Promise<void> = Promise.resolve();
  private active = false;

  constructor(
    private readonly intervalMs: number,
    private readonly work: () => Promise<void>,
    private readonly onError: (error: unknown) => void,
  ) {}

  get stopped(): boolean {
    return !this.active;
  }

  start(): void {
    this.active = true;
    this.timer = setInterval(() => this.kick(), this.intervalMs);
    this.timer.unref();
  }

  kick(): void {
    if (!this.active) return;
    this.queue = this.queue.then(() => this.work()).catch(this.onError);
  }

  async stop(): Promise<void> {
    this.active = false;
    if (this.timer) clearInterval(this.timer);
    await this.queue;
  }
}
