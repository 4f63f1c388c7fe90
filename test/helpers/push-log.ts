import { sleep } from './expect.js';

/**
 * The pushes a replayed client's listeners accepted, by event, and waiting for one: the part the
 * Flutter and Vue test sockets share. Each says what became of the pushes it did not accept.
 */
export abstract class PushLog {
  private readonly accepted = new Map<string, unknown[]>();

  /** The pushes of `event` the client dropped or failed on, for a timeout's error. */
  protected abstract unaccepted(event: string): string;

  /** Keeps what a listener made of a push; undefined is a push the client ignores. */
  protected keep(event: string, value: unknown): void {
    if (value === undefined) return;
    const values = this.accepted.get(event);
    if (values) values.push(value);
    else this.accepted.set(event, [value]);
  }

  /** Every push of `event` its listener accepted, as the listener made it. */
  received<T = any>(event: string): T[] {
    return (this.accepted.get(event) ?? []) as T[];
  }

  /** The first accepted push of `event` matching; on timeout the error says what was not accepted. */
  async waitFor<T = any>(event: string, match: (value: T) => boolean = () => true, ms = 3000): Promise<T> {
    const deadline = Date.now() + ms;
    for (;;) {
      const found = this.received<T>(event).find(match);
      if (found !== undefined) return found;
      if (Date.now() > deadline)
        throw new Error(
          `no matching ${event} push the client accepts within ${ms} ms; ${this.unaccepted(event)}; ` +
            `accepted ${JSON.stringify(this.received(event).slice(-3)).slice(0, 400)}`,
        );
      await sleep(10);
    }
  }
}
