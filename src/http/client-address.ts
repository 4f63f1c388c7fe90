import { compileAllowList, normalizeCidrs } from '../modules/keys/ip-allow-list.js';

/** Whether the peer at `hop` (0: the one connected to us) is a proxy allowed to name the next address. */
export type ProxyTrust = (address: string, hop: number) => boolean;

/**
 * TRUST_PROXY as a trust function, for Fastify (`request.ip`) and for socket.io handshakes alike:
 * a hop count trusts that many peers from our side, a list trusts only peers at those addresses.
 * `undefined` when no proxy is trusted: the connected peer is the client.
 */
export function proxyTrust(setting: false | number | string): ProxyTrust | undefined {
  if (setting === false || setting === 0) return undefined;
  if (typeof setting === 'number') return (_address, hop) => hop < setting;
  const isProxy = compileAllowList(normalizeCidrs(setting.split(',')));
  return (address) => isProxy(address);
}

/**
 * The client's address: walk X-Forwarded-For from its right end (the entry our peer added) while
 * the hop that wrote it is trusted. Entries left of the first untrusted hop are the client's own
 * words and never used. The same walk as Fastify's `request.ip` with the same trust function.
 */
export function clientAddress(peer: string, forwardedFor: string | string[] | undefined, trust: ProxyTrust | undefined): string {
  if (trust === undefined || forwardedFor === undefined) return peer;
  const text = Array.isArray(forwardedFor) ? forwardedFor.join(',') : forwardedFor;
  const hops = [peer, ...text.split(',').map((entry) => entry.trim()).filter((entry) => entry !== '').reverse()];
  let index = 0;
  while (index < hops.length - 1 && trust(hops[index]!, index)) index++;
  return hops[index]!;
}
