import { isIP } from 'node:net';

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
