import { afterEach, describe, expect, it } from 'vitest';
import { iso, isoOrNull, parseTime } from '../../src/shared/time.js';

describe('parseTime', () => {
  const originalTz = process.env.TZ;
  afterEach(() => {
    if (originalTz === undefined) delete process.env.TZ;
    else process.env.TZ = originalTz;
  });

  it('reads millisecond epochs as numbers or digit strings', () => {
    expect(parseTime(0)).toBe(0);
    expect(parseTime(1_700_000_000_123)).toBe(1_700_000_000_123);
    expect(parseTime('1700000000123')).toBe(1_700_000_000_123);
    expect(parseTime(' 1700000000123 ')).toBe(1_700_000_000_123);
    expect(parseTime('0')).toBe(0);
    expect(parseTime('-1000')).toBe(-1000);
    expect(parseTime(-1000)).toBe(-1000);
  });

  it('reads ISO-8601 times with Z, an offset or no time part', () => {
    expect(parseTime('2024-01-02T03:04:05.678Z')).toBe(Date.UTC(2024, 0, 2, 3, 4, 5, 678));
    expect(parseTime('2024-01-02T03:04:05Z')).toBe(Date.UTC(2024, 0, 2, 3, 4, 5));
    expect(parseTime('2024-01-02T03:04Z')).toBe(Date.UTC(2024, 0, 2, 3, 4));
    expect(parseTime('2024-01-02T03:04:05+02:00')).toBe(Date.UTC(2024, 0, 2, 1, 4, 5));
    expect(parseTime('2024-01-02T03:04:05-0130')).toBe(Date.UTC(2024, 0, 2, 4, 34, 5));
    expect(parseTime('2024-01-02')).toBe(Date.UTC(2024, 0, 2));
    expect(parseTime('2020-06-11T06:15:36.761Z')).toBe(1591856136761);
  });

  it('reads an ISO time without an offset as UTC (spec 1.7: all times are UTC), whatever the host time zone', () => {
    for (const zone of ['UTC', 'America/New_York', 'Asia/Taipei']) {
      process.env.TZ = zone;
      expect(parseTime('2024-01-02T03:04:05'), zone).toBe(Date.UTC(2024, 0, 2, 3, 4, 5));
      expect(parseTime('2024-07-02T03:04'), zone).toBe(Date.UTC(2024, 6, 2, 3, 4));
      expect(parseTime('2024-01-02'), zone).toBe(Date.UTC(2024, 0, 2));
    }
  });

  it('refuses everything that is not one of those shapes', () => {
    for (const value of [
      '',
      '   ',
      'abc',
      'May 5',
      'May 5, 2024',
      '1 2',
      '12.5',
      '1e3',
      '0x10',
      '+2024',
      '2024-01',
      '2024/01/02',
      '02-01-2024',
      '2024-01-02T',
      '2024-01-02 03:04:05',
      '2024-01-02T3:04Z',
      'Tue, 02 Jan 2024 03:04:05 GMT',
      NaN,
      Infinity,
      -Infinity,
      null,
      undefined,
      true,
      {},
      [],
      [1],
    ]) {
      expect(parseTime(value), JSON.stringify(value) ?? String(value)).toBeUndefined();
    }
  });

  it('refuses impossible calendar dates and times instead of rolling them over', () => {
    for (const value of [
      '2024-02-30',
      '2023-02-29T00:00:00Z',
      '2024-13-01',
      '2024-00-10',
      '2024-01-32',
      '2024-01-02T24:30:00Z',
      '2024-01-02T10:60Z',
    ]) {
      expect(parseTime(value), value).toBeUndefined();
    }
    expect(parseTime('2024-02-29')).toBe(Date.UTC(2024, 1, 29));
  });

  it('refuses epochs a Date cannot hold, so that no caller fails turning them into ISO text', () => {
    const max = 8.64e15;
    expect(parseTime(max)).toBe(max);
    expect(parseTime(-max)).toBe(-max);
    for (const value of [
      max + 1,
      -max - 1,
      1e20,
      '99999999999999999999',
      '8640000000000001',
      Number.MAX_SAFE_INTEGER,
    ]) {
      expect(parseTime(value), String(value)).toBeUndefined();
    }
  });
});

describe('iso / isoOrNull', () => {
  it('formats ms epochs as ISO-8601 UTC with milliseconds', () => {
    expect(iso(0)).toBe('1970-01-01T00:00:00.000Z');
    expect(iso(1591856136761)).toBe('2020-06-11T06:15:36.761Z');
    expect(isoOrNull(1591856136761)).toBe('2020-06-11T06:15:36.761Z');
    expect(isoOrNull(0)).toBe('1970-01-01T00:00:00.000Z');
    expect(isoOrNull(null)).toBeNull();
    expect(isoOrNull(undefined)).toBeNull();
  });
});
