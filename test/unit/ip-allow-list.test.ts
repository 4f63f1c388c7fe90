import { describe, expect, it } from 'vitest';
import { compileAllowList, normalizeCidrs } from '../../src/shared/ip-address.js';

describe('normalizeCidrs', () => {
  it('keeps CIDRs, turns single addresses into /32 or /128 and lower-cases IPv6', () => {
    expect(
      normalizeCidrs([
        '10.0.0.0/8',
        '192.0.2.7',
        ' 198.51.100.0/24 ',
        '2001:DB8::/32',
        '::1',
        'fe80::1/64',
        '0.0.0.0/0',
        '::/0',
      ]),
    ).toStrictEqual([
      '10.0.0.0/8',
      '192.0.2.7/32',
      '198.51.100.0/24',
      '2001:db8::/32',
      '::1/128',
      'fe80::1/64',
      '0.0.0.0/0',
      '::/0',
    ]);
    expect(normalizeCidrs([])).toStrictEqual([]);
  });

  it('throws on anything that is not an address or a CIDR, naming the entry', () => {
    for (const entry of [
      '',
      ' ',
      'abc',
      'localhost',
      '10.0.0',
      '10.0.0.256',
      '1.2.3.4.5',
      '10.0.0.0/33',
      '10.0.0.0/-1',
      '10.0.0.0/',
      '10.0.0.0/x',
      '10.0.0.0/8.5',
      '10.0.0.0/ 8',
      '2001:db8::/129',
      '2001:db8::g',
      '10.0.0.0/8/9',
      '/8',
      '10.0.0.0/1e1',
    ]) {
      expect(() => normalizeCidrs([entry]), JSON.stringify(entry)).toThrow(
        entry.trim() === '' ? /not an IP address/ : entry,
      );
    }
    // One bad entry spoils the list.
    expect(() => normalizeCidrs(['10.0.0.0/8', 'bad'])).toThrow('"bad" is not an IP address or CIDR');
  });
});

describe('compileAllowList', () => {
  const match = compileAllowList(normalizeCidrs(['10.1.0.0/16', '192.0.2.7', '2001:db8::/32', '::1']));

  it('matches IPv4 addresses inside a CIDR or equal to a single address', () => {
    for (const ip of ['10.1.0.0', '10.1.2.3', '10.1.255.255', '192.0.2.7']) expect(match(ip), ip).toBe(true);
    for (const ip of ['10.0.255.255', '10.2.0.0', '192.0.2.8', '192.0.2.6', '127.0.0.1', '0.0.0.0'])
      expect(match(ip), ip).toBe(false);
  });

  it('matches IPv6 addresses, in any spelling', () => {
    for (const ip of [
      '2001:db8::1',
      '2001:DB8:0:0:0:0:0:1',
      '2001:db8:ffff:ffff:ffff:ffff:ffff:ffff',
      '::1',
      '0:0:0:0:0:0:0:1',
    ]) {
      expect(match(ip), ip).toBe(true);
    }
    for (const ip of ['2001:db9::1', '2001:db7:ffff::1', '::2', 'fe80::1']) expect(match(ip), ip).toBe(false);
  });

  it('matches IPv4-mapped IPv6 addresses (as Node reports IPv4 clients on a dual-stack socket) against IPv4 rules', () => {
    expect(match('::ffff:10.1.9.9')).toBe(true);
    expect(match('::FFFF:192.0.2.7')).toBe(true);
    expect(match('::ffff:10.2.0.1')).toBe(false);
  });

  it('never matches a string that is not an address', () => {
    for (const ip of ['', 'abc', '10.1.2', '10.1.2.3.4', '10.1.2.3/32', 'unknown']) expect(match(ip), ip).toBe(false);
  });

  it('applies the prefix length even when the CIDR has host bits set', () => {
    const loose = compileAllowList(normalizeCidrs(['10.1.2.3/8', '2001:db8::1234/32']));
    expect(loose('10.200.0.1')).toBe(true);
    expect(loose('11.0.0.1')).toBe(false);
    expect(loose('2001:db8:1::1')).toBe(true);
    expect(loose('2001:db9::1')).toBe(false);
  });

  it('lets everything through 0.0.0.0/0 and ::/0 and nothing through an empty list', () => {
    const open = compileAllowList(normalizeCidrs(['0.0.0.0/0', '::/0']));
    for (const ip of ['1.2.3.4', '255.255.255.255', '::1', '2001:db8::1', '::ffff:1.2.3.4'])
      expect(open(ip), ip).toBe(true);
    const closed = compileAllowList([]);
    for (const ip of ['1.2.3.4', '::1']) expect(closed(ip), ip).toBe(false);
  });
});
