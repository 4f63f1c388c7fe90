import { isIP } from 'node:net';
import { LRUCache } from 'lru-cache';
import { unmapIpv4 } from '../shared/ip-address.js';
import { WINDOW_SECONDS, type WindowCounter } from './rate-limiter.js';

/**
 * Failed authentications per source address, counted in the shared window counter (memory or
 * Redis). Only addresses that failed lately on this node are checked before authenticating, so
 * clean traffic never pays a lookup.
 *
 * An address over its budget is blocked for guessing, not for the right credential: its requests
 * are still verified, and a valid credential that nobody can guess (a generated API key, an issued
 * token: 256 bits and more) is served. Everything else from that address — a wrong credential, or
 * a right one that could have been guessed (an imported key, an integrator-chosen token) — gets the
 * same 429, so a blocked address learns nothing from its guesses.
 */
export class AuthFailureGuard {
  private readonly recent = new LRUCache<string, true>({ max: 100_000, ttl: WINDOW_SECONDS * 1000 });

  constructor(
    private readonly counter: WindowCounter,
    private readonly limit: number,
  ) {}

  /** True when the address failed lately here and must be checked before it may try again. */
  suspect(ip: string): boolean {
    return this.recent.size > 0 && this.recent.has(budgetSubject(ip));
  }

  /** Seconds the address must wait before guessing again, or undefined when it may try. */
  async blockedFor(ip: string): Promise<number | undefined> {
    if (this.recent.size === 0) return undefined;
    const subject = budgetSubject(ip);
    if (!this.recent.has(subject)) return undefined;
    const state = await this.counter.peek(subject, this.limit);
    return state.allowed ? undefined : state.resetSeconds;
  }

  async failed(ip: string): Promise<void> {
    const subject = budgetSubject(ip);
    this.recent.set(subject, true);
    await this.counter.hit(subject, this.limit);
  }
}

/**
 * What the budget counts: an IPv4 address, or an IPv6 /64 — one subscriber usually holds a whole
 * /64, and counting single IPv6 addresses would give it 2^64 budgets.
 */
export function budgetSubject(ip: string | undefined): string {
  // A peer that already hung up has no address; it still counts, all such in one budget.
  const address = (ip ?? '').replace(/%.*$/, '');
  const unmapped = unmapIpv4(address);
  if (isIP(unmapped) !== 6) return unmapped;
  return `${ipv6Groups(unmapped).slice(0, 4).join(':')}::/64`;
}

/** The eight 16-bit groups of a valid IPv6 address, as lowercase hex without leading zeros. */
function ipv6Groups(address: string): string[] {
  const [head = '', tail] = address.split('::');
  const words = (part: string): string[] =>
    part === ''
      ? []
      : part.split(':').flatMap((word) => {
          if (!word.includes('.')) return [word];
          const [a = 0, b = 0, c = 0, d = 0] = word.split('.').map(Number);
          return [((a << 8) | b).toString(16), ((c << 8) | d).toString(16)];
        });
  const left = words(head);
  const right = tail === undefined ? [] : words(tail);
  const groups = [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right];
  return groups.map((group) => parseInt(group, 16).toString(16));
}
