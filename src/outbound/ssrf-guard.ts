import dns, { type LookupAddress } from 'node:dns';
import { BlockList, isIP } from 'node:net';
import { subnetOf } from '../shared/ip-address.js';

/** A block list of one address family. */
function blockList(family: 'ipv4' | 'ipv6', ranges: readonly string[]): BlockList {
  const list = new BlockList();
  for (const cidr of ranges) {
    const { address, prefix } = subnetOf(cidr);
    list.addSubnet(address, prefix, family);
  }
  return list;
}

/**
 * Every range a webhook must not reach: loopback, private, link-local, shared (CGNAT), reserved,
 * documentation, benchmarking, multicast and broadcast; and the IPv6 forms that embed or translate
 * an IPv4 address (IPv4-compatible ::/96, IPv4-mapped, SIIT, NAT64, 6to4, Teredo), refused whole
 * rather than trusting what they embed.
 * Two lists: Node's BlockList matches an IPv4 address against IPv6 rules as IPv4-mapped.
 */
const INTERNAL_V4 = blockList('ipv4', [
  '0.0.0.0/8',
  '10.0.0.0/8',
  '100.64.0.0/10',
  '127.0.0.0/8',
  '169.254.0.0/16',
  '172.16.0.0/12',
  '192.0.0.0/24',
  '192.0.2.0/24',
  '192.88.99.0/24',
  '192.168.0.0/16',
  '198.18.0.0/15',
  '198.51.100.0/24',
  '203.0.113.0/24',
  '224.0.0.0/4',
  '240.0.0.0/4',
]);
const INTERNAL_V6 = blockList('ipv6', [
  '::/96',
  '::ffff:0:0/96',
  '::ffff:0:0:0/96',
  '64:ff9b::/96',
  '64:ff9b:1::/48',
  '100::/64',
  '2001::/32',
  '2001:2::/48',
  '2001:10::/28',
  '2001:20::/28',
  '2001:db8::/32',
  '2002::/16',
  'fc00::/7',
  'fe80::/10',
  'fec0::/10',
  'ff00::/8',
]);

/** True for an address in a range above; anything that is not an IP address counts as internal. */
export function isInternalAddress(address: string): boolean {
  const family = isIP(address);
  if (family === 0) return true;
  return family === 4 ? INTERNAL_V4.check(address, 'ipv4') : INTERNAL_V6.check(address, 'ipv6');
}

export class BlockedDestination extends Error {}

const REFUSED_ADDRESS = 'the host resolves to a loopback or private address';

/** Parses an outgoing URL: http(s) only, no credentials in it. */
function parseDestination(url: string): URL {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new BlockedDestination('not a URL');
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')
    throw new BlockedDestination('only http and https URLs');
  if (parsed.username || parsed.password) throw new BlockedDestination('credentials in the URL');
  return parsed;
}

const hostOf = (url: URL) => url.hostname.replace(/^\[|\]$/g, '');

/**
 * Refuses a webhook URL that is not http(s) or whose host resolves to an internal address (SSRF),
 * unless the operator allows private destinations. An early, readable answer for settings; the
 * connection itself is guarded again by `guardedLookup`, since a name may resolve differently later.
 */
export async function checkDestination(url: string, allowPrivate: boolean): Promise<URL> {
  const parsed = parseDestination(url);
  if (allowPrivate) return parsed;
  const host = hostOf(parsed);
  const addresses = isIP(host)
    ? [host]
    : (await dns.promises.lookup(host, { all: true, verbatim: true }).catch(() => [])).map((entry) => entry.address);
  if (addresses.length === 0) throw new BlockedDestination('the host does not resolve');
  if (addresses.some(isInternalAddress)) throw new BlockedDestination(REFUSED_ADDRESS);
  return parsed;
}

type LookupCallback = (error: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

/**
 * The `lookup` of an outgoing connection: resolves the name once and lets the socket connect only
 * to addresses that pass the guard, so that the address checked is the address connected to (no
 * DNS rebinding between a check and the connection).
 */
export function guardedLookup(allowPrivate: boolean) {
  return (hostname: string, options: dns.LookupOptions, callback: LookupCallback): void => {
    dns.lookup(hostname, { ...options, all: true }, (error, answers) => {
      if (error) return callback(error, '');
      const addresses = answers as LookupAddress[];
      if (addresses.length === 0) return callback(new BlockedDestination('the host does not resolve'), '');
      if (!allowPrivate && addresses.some((entry) => isInternalAddress(entry.address)))
        return callback(new BlockedDestination(REFUSED_ADDRESS), '');
      if (options.all) return callback(null, addresses);
      const [first] = addresses as [LookupAddress, ...LookupAddress[]];
      callback(null, first.address, first.family);
    });
  };
}

/** Validates a URL before a request; an IP literal (which skips the lookup) is checked here. */
export function destinationForRequest(url: string, allowPrivate: boolean): URL {
  const parsed = parseDestination(url);
  const host = hostOf(parsed);
  if (!allowPrivate && isIP(host) !== 0 && isInternalAddress(host)) throw new BlockedDestination(REFUSED_ADDRESS);
  return parsed;
}
