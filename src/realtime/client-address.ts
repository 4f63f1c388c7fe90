import type { IncomingHttpHeaders } from 'node:http';
import { type AddressMatcher, compileAllowList, normalizeCidrs } from '../shared/ip-address.js';

/** What Fastify's `trustProxy` accepts (config TRUST_PROXY is one of these). */
export type TrustProxy = boolean | string | number | ((address: string, hop: number) => boolean);

const NAMED_RANGES: Record<string, string[]> = {
  loopback: ['127.0.0.0/8', '::1/128'],
  linklocal: ['169.254.0.0/16', 'fe80::/10'],
  uniquelocal: ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', 'fc00::/7'],
};

/**
 * Whether the hop at `address` (0 = the direct peer) is a proxy whose X-Forwarded-For is believed,
 * as Fastify decides.
 */
export function compileTrust(trustProxy: TrustProxy | undefined): (address: string, hop: number) => boolean {
  if (typeof trustProxy === 'function') return trustProxy;
  if (trustProxy === true) return () => true;
  if (!trustProxy) return () => false;
  // A hop count (TRUST_PROXY=N) trusts the N nearest hops. Fastify 5 ignores a bare number, so
  // app.ts hands Fastify this same function: HTTP and sockets agree.
  if (typeof trustProxy === 'number') return (_address, hop) => hop < trustProxy;
  const entries = trustProxy
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean);
  const matcher: AddressMatcher = compileAllowList(
    normalizeCidrs(entries.flatMap((entry) => NAMED_RANGES[entry] ?? [entry])),
  );
  return (address) => matcher(address);
}

/**
 * The client's address of a socket.io handshake, by the same rules as Fastify's `request.ip`
 * (proxy-addr): walk X-Forwarded-For from the nearest hop while each hop is a trusted proxy.
 * A key's allow-list then means the same on a socket as over HTTP.
 */
export function clientAddress(
  peer: string,
  headers: IncomingHttpHeaders,
  trust: (address: string, hop: number) => boolean,
): string {
  const header = headers['x-forwarded-for'];
  const forwarded = (Array.isArray(header) ? header.join(',') : (header ?? ''))
    .split(',')
    .map((entry) => entry.trim())
    .filter(Boolean)
    .reverse();
  const chain = [peer, ...forwarded];
  let address = peer;
  for (let hop = 0; hop < forwarded.length && trust(address, hop); hop++) address = chain[hop + 1] ?? address;
  return address;
}
