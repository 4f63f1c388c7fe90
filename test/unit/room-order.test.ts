import { afterEach, describe, expect, it, vi } from 'vitest';
import { RoomOrder } from '../../src/realtime/room-order.js';

describe("RoomOrder: a room's messages go out in the order the room took them", () => {
  afterEach(() => vi.useRealTimers());

  const setup = () => {
    const out: number[] = [];
    const order = new RoomOrder<number>((seq) => out.push(seq));
    return { out, order };
  };

  it('delivers in order at once when events arrive in order', () => {
    const { out, order } = setup();
    order.push('r', 10, 5, 10);
    order.push('r', 11, 10, 11);
    order.push('r', 15, 11, 15);
    expect(out).toStrictEqual([10, 11, 15]);
  });

  it('holds a message that overtook its predecessor until the predecessor arrives', () => {
    const { out, order } = setup();
    order.push('r', 10, null, 10);
    order.push('r', 13, 12, 13); // from node B, before node A's 12
    order.push('r', 14, 13, 14);
    expect(out).toStrictEqual([10]);
    order.push('r', 12, 10, 12);
    expect(out).toStrictEqual([10, 12, 13, 14]);
    order.stop();
  });

  it('delivers what waits, in order, when the predecessor never comes', () => {
    vi.useFakeTimers();
    const { out, order } = setup();
    order.push('r', 10, null, 10);
    order.push('r', 14, 13, 14);
    order.push('r', 13, 12, 13);
    expect(out).toStrictEqual([10]);
    vi.advanceTimersByTime(600);
    expect(out).toStrictEqual([10, 13, 14]);
  });

  it('never holds a message whose predecessor went out already or was deleted, and keeps rooms apart', () => {
    const { out, order } = setup();
    order.push('a', 20, null, 20);
    order.push('a', 25, 18, 25);
    order.push('b', 21, 3, 21);
    order.push('x', undefined, undefined, 99);
    expect(out).toStrictEqual([20, 25, 21, 99]);
  });
});
