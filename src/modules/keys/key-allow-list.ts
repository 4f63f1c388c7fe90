import type { ApiKey } from '../../core/principal.js';
import { type AddressMatcher, compileAllowList } from '../../shared/ip-address.js';

/** Compiled allow-lists by their CIDRs, shared by every key that lists the same ones; bounded. */
const matchers = new Map<string, AddressMatcher>();
const MAX_MATCHERS = 1000;

/** Whether a key's IP allow-list admits an address (a key without one admits every address). */
export function keyAdmits(key: Pick<ApiKey, 'allowedIps'>, address: string): boolean {
  if (key.allowedIps === null) return true;
  const id = key.allowedIps.join(',');
  let matcher = matchers.get(id);
  if (!matcher) {
    if (matchers.size > MAX_MATCHERS) matchers.clear();
    matcher = compileAllowList(key.allowedIps);
    matchers.set(id, matcher);
  }
  return matcher(address);
}
