/** How long a message waits for its predecessor from another node before it is delivered anyway. */
const WAIT_MS = 500;
const MAX_ROOMS = 100_000;

interface Pending<T> {
  seq: number;
  item: T;
}

interface RoomState<T> {
  last: number;
  /** Messages that arrived before their predecessor, by the predecessor's seq. */
  waiting: Map<number, Pending<T>>;
  timer?: NodeJS.Timeout;
}

/**
 * Delivers each room's new messages in the order the room received them, even when two nodes
 * accept messages for one room at once and their events cross on the way: a message names its
 * predecessor (`previousSeq`) and waits, briefly, until that one has gone out.
 */
export class RoomOrder<T> {
  private readonly rooms = new Map<string, RoomState<T>>();

  constructor(private readonly deliver: (item: T) => void) {}

  push(room: string, seq: number | undefined, previousSeq: number | null | undefined, item: T): void {
    if (seq === undefined) {
      this.deliver(item);
      return;
    }
    const state = this.rooms.get(room);
    if (!state) {
      if (this.rooms.size >= MAX_ROOMS) this.forgetOldest();
      this.rooms.set(room, { last: seq, waiting: new Map() });
      this.deliver(item);
      return;
    }
    // Refresh recency for the bound on remembered rooms.
    this.rooms.delete(room);
    this.rooms.set(room, state);
    if (previousSeq === null || previousSeq === undefined || previousSeq <= state.last) {
      this.send(state, seq, item);
      this.drain(state);
      return;
    }
    state.waiting.set(previousSeq, { seq, item });
    state.timer ??= setTimeout(() => this.flush(state), WAIT_MS);
  }

  stop(): void {
    for (const state of this.rooms.values()) if (state.timer) clearTimeout(state.timer);
    this.rooms.clear();
  }

  private send(state: RoomState<T>, seq: number, item: T): void {
    state.last = Math.max(state.last, seq);
    this.deliver(item);
  }

  private drain(state: RoomState<T>): void {
    for (let next = state.waiting.get(state.last); next; next = state.waiting.get(state.last)) {
      state.waiting.delete(state.last);
      this.send(state, next.seq, next.item);
    }
    if (state.waiting.size === 0 && state.timer) {
      clearTimeout(state.timer);
      state.timer = undefined;
    }
  }

  /** The predecessor never came (its node died, or it was deleted): deliver what waits, in order. */
  private flush(state: RoomState<T>): void {
    state.timer = undefined;
    const waiting = [...state.waiting.values()].sort((a, b) => a.seq - b.seq);
    state.waiting.clear();
    for (const pending of waiting) this.send(state, pending.seq, pending.item);
  }

  private forgetOldest(): void {
    const [oldest] = this.rooms.entries();
    if (oldest === undefined) return;
    const [room, state] = oldest;
    this.flush(state);
    this.rooms.delete(room);
  }
}
