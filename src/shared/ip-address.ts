import { BlockList, isIP } from 'node:net';

export interface Subnet {
  address: string;
  prefix: number;
  family: 'ipv4' | 'ipv6';
}

/** A normalized CIDR ("10.0.0.0/8", "2001:db8::/32") in the parts `net.BlockList` takes. */
export function subnetOf(cidr: string): Subnet {
  const [address = '', prefix = ''] = cidr.split('/');
  return { address, prefix: Number(prefix), family: isIP(address) === 4 ? 'ipv4' : 'ipv6' };
}

/** An IPv4-mapped IPv6 address (`::ffff:10.1.2.3`) as the IPv4 address it carries; others unchanged. */
export function unmapIpv4(ip: string): string {
  return /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip)?.[1] ?? ip;
}

/** Parses CIDRs ("10.0.0.0/8", "2001:db8::/32") or single addresses; throws on a bad entry. */
export function normalizeCidrs(entries: readonly string[]): string[] {
  return entries.map((entry) => {
    const parts = entry.trim().split('/');
    if (parts.length > 2) throw new Error(`"${entry}" has an invalid prefix length`);
    const [address = '', prefixText] = parts;
    const family = isIP(address);
    if (family === 0) throw new Error(`"${entry}" is not an IP address or CIDR`);
    const max = family === 4 ? 32 : 128;
    const prefix = prefixText === undefined ? max : Number(prefixText);
    if (!/^\d+$/.test(prefixText ?? String(max)) || prefix < 0 || prefix > max) {
      throw new Error(`"${entry}" has an invalid prefix length`);
    }
    return `${address.toLowerCase()}/${prefix}`;
  });
}

export type AddressMatcher = (ip: string) => boolean;

export function compileAllowList(cidrs: readonly string[]): AddressMatcher {
  const list = new BlockList();
  for (const { address, prefix, family } of cidrs.map(subnetOf)) list.addSubnet(address, prefix, family);
  return (ip) => {
    const address = unmapIpv4(ip);
    const family = isIP(address);
    if (family === 0) return false;
    return list.check(address, family === 4 ? 'ipv4' : 'ipv6');
  };
}
