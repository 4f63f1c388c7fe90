import { BlockList } from 'node:net';
import { subnetOf } from '../../shared/ip-address.js';
import { scopesWithin } from '../../core/scopes.js';

/** What a key may do: a key it creates, edits or rolls never gets more than this. */
export interface KeyLimits {
  scopes: readonly string[];
  /** ms epoch; null: never expires */
  expiresAt: number | null;
  /** normalized CIDRs; null: any address */
  allowedIps: readonly string[] | null;
  rateLimit: number;
}

/** The operator (CLI, first start): no limit. */
export const UNLIMITED: KeyLimits = {
  scopes: ['*'],
  expiresAt: null,
  allowedIps: null,
  rateLimit: Number.POSITIVE_INFINITY,
};

/** Why `key` has more than `grantor`, or undefined when it is within it. */
export function excess(grantor: KeyLimits, key: KeyLimits): string | undefined {
  if (!scopesWithin(grantor.scopes, key.scopes)) return 'scopes it does not hold itself';
  if (grantor.expiresAt !== null && (key.expiresAt === null || key.expiresAt > grantor.expiresAt))
    return 'a later expiry than its own';
  if (!rangesWithin(grantor.allowedIps, key.allowedIps)) return 'addresses outside its own allow-list';
  if (key.rateLimit > grantor.rateLimit) return 'a higher rate limit than its own';
  return undefined;
}

/** True when every range of `inner` lies inside one range of `outer` (null: every address). */
export function rangesWithin(outer: readonly string[] | null, inner: readonly string[] | null): boolean {
  if (outer === null) return true;
  if (inner === null) return false;
  const ranges = outer.map(subnetOf).map(({ address, prefix, family }) => {
    const list = new BlockList();
    list.addSubnet(address, prefix, family);
    return { list, family, prefix };
  });
  return inner.map(subnetOf).every(({ address, prefix, family }) => {
    // Aligned blocks nest: a block no larger than a range, with an address in it, lies inside it.
    return ranges.some(
      (range) => range.family === family && prefix >= range.prefix && range.list.check(address, family),
    );
  });
}
