import { describe, expect, it } from 'vitest';
import { clientAddress, compileTrust } from '../../src/realtime/client-address.js';

/** The socket's client address follows Fastify's request.ip for every TRUST_PROXY form. */
describe('clientAddress (sockets read the client address as HTTP does)', () => {
  const xff = (value: string) => ({ 'x-forwarded-for': value });

  it('ignores X-Forwarded-For without TRUST_PROXY', () => {
    for (const trust of [false, undefined, 0]) {
      expect(clientAddress('127.0.0.1', xff('10.1.2.3'), compileTrust(trust))).toBe('127.0.0.1');
    }
  });

  it("with a hop count, believes that many hops from the nearest, never the client's own entries (issue 9 item 12)", () => {
    // Fastify 5 ignores a bare number; app.ts hands it this same function instead.
    expect(clientAddress('127.0.0.1', xff('10.9.9.9, 198.51.100.7'), compileTrust(1))).toBe('198.51.100.7');
    expect(clientAddress('127.0.0.1', xff('10.9.9.9, 198.51.100.7, 10.0.0.2'), compileTrust(2))).toBe('198.51.100.7');
    expect(clientAddress('127.0.0.1', {}, compileTrust(1))).toBe('127.0.0.1');
  });

  it('walks the chain while each hop is a trusted proxy', () => {
    const trust = compileTrust('127.0.0.1, 192.168.0.0/16');
    expect(clientAddress('127.0.0.1', xff('10.1.2.3'), trust)).toBe('10.1.2.3');
    expect(clientAddress('127.0.0.1', xff('10.1.2.3, 192.168.1.1'), trust)).toBe('10.1.2.3');
    // A client-written entry in front of an untrusted hop is not believed.
    expect(clientAddress('127.0.0.1', xff('10.1.2.3, 203.0.113.9'), trust)).toBe('203.0.113.9');
    expect(clientAddress('203.0.113.9', xff('10.1.2.3'), trust)).toBe('203.0.113.9');
    expect(clientAddress('::ffff:127.0.0.1', xff('10.1.2.3'), trust)).toBe('10.1.2.3');
    expect(clientAddress('127.0.0.1', {}, trust)).toBe('127.0.0.1');
  });

  it('believes every hop with TRUST_PROXY=true, as Fastify does', () => {
    expect(clientAddress('127.0.0.1', xff('10.1.2.3, 203.0.113.9'), compileTrust(true))).toBe('10.1.2.3');
  });

  it("knows proxy-addr's named ranges and takes a trust function as is", () => {
    expect(clientAddress('127.0.0.1', xff('10.1.2.3'), compileTrust('loopback'))).toBe('10.1.2.3');
    expect(
      clientAddress(
        '127.0.0.1',
        xff('10.1.2.3, 10.9.9.9'),
        compileTrust((_address, hop) => hop < 1),
      ),
    ).toBe('10.9.9.9');
  });
});
