import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { compileAllowList } from '../keys/ip-allow-list.js';

/** Loopback, private, link-local, carrier-grade NAT, unspecified and multicast ranges, IPv4 and IPv6. */
const INTERNAL = compileAllowList([
  '0.0.0.0/8', '10.0.0.0/8', '100.64.0.0/10', '127.0.0.0/8', '169.254.0.0/16', '172.16.0.0/12', '192.0.0.0/24',
  '192.168.0.0/16', '198.18.0.0/15', '224.0.0.0/4', '240.0.0.0/4',
  '::/128', '::1/128', 'fc00::/7', 'fe80::/10', 'ff00::/8', '64:ff9b::/96',
]);

export class BlockedDestination extends Error {}

/**
 * Refuses a webhook URL that is not http(s) or whose host resolves to an internal address (SSRF),
 * unless the operator allows private destinations.
 */
export async function checkDestination(url: string, allowPrivate: boolean): Promise<URL> {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new BlockedDestination('not a URL');
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new BlockedDestination('only http and https URLs');
  if (parsed.username || parsed.password) throw new BlockedDestination('credentials in the URL');
  if (allowPrivate) return parsed;
  const host = parsed.hostname.replace(/^\[|\]$/g, '');
  const addresses = isIP(host) ? [host] : (await lookup(host, { all: true, verbatim: true }).catch(() => [])).map((entry) => entry.address);
  if (addresses.length === 0) throw new BlockedDestination('the host does not resolve');
  if (addresses.some((address) => INTERNAL(address))) throw new BlockedDestination('the host resolves to a loopback or private address');
  return parsed;
}
