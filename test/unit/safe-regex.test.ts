import { describe, expect, it } from 'vitest';
import { MAX_PATTERN_LENGTH, UnsafePatternError, checkPattern, safeRegexTest } from '../../src/shared/safe-regex.js';

function refusal(pattern: string, options = ''): string {
  try {
    checkPattern(pattern, options);
  } catch (error) {
    expect(error).toBeInstanceOf(UnsafePatternError);
    return (error as Error).message;
  }
  throw new Error(`expected ${JSON.stringify(pattern)} /${options} to be refused`);
}

describe('checkPattern', () => {
  it('accepts ordinary patterns and reports case-insensitivity', () => {
    expect(checkPattern('^ab+c$', '')).toStrictEqual({ caseInsensitive: false });
    expect(checkPattern('user-\\d{2,3}', 'i')).toStrictEqual({ caseInsensitive: true });
    expect(checkPattern('(?:a|b)[x-z]*', '')).toStrictEqual({ caseInsensitive: false });
    expect(checkPattern('', '')).toStrictEqual({ caseInsensitive: false });
    expect(checkPattern('a'.repeat(MAX_PATTERN_LENGTH), '')).toStrictEqual({ caseInsensitive: false });
  });

  it('refuses patterns longer than the limit', () => {
    expect(MAX_PATTERN_LENGTH).toBe(256);
    expect(refusal('a'.repeat(MAX_PATTERN_LENGTH + 1))).toBe('$regex is longer than 256 characters');
  });

  it('supports only the "i" option', () => {
    for (const options of ['x', 'g', 'm', 's', 'ii', 'im', 'I', ' '])
      expect(refusal('abc', options), options).toBe('$options supports only "i"');
  });

  it('refuses constructs that RE2 and PostgreSQL read differently', () => {
    expect(refusal('(?<name>a)')).toBe('$regex does not support named groups');
    expect(refusal('(?P<name>a)')).toBe('$regex does not support named groups');
    expect(refusal('(?i)abc')).toBe('$regex does not support inline flags (use $options)');
    expect(refusal('(?i:abc)')).toBe('$regex does not support inline flags (use $options)');
    expect(refusal('(?-s)abc')).toBe('$regex does not support inline flags (use $options)');
    for (const sequence of ['\\bword', '\\Bx', '\\p{L}', '\\PL', '\\Qa.b\\E', '\\Aabc', 'abc\\z', '\\Cx']) {
      expect(refusal(sequence), sequence).toBe('$regex does not support this escape sequence');
    }
  });

  it('refuses invalid patterns and backtracking-only features', () => {
    for (const pattern of ['(', 'a)', '[a-', '*a', 'a{2,1}', '(a)\\1', '(?=a)', '(?!a)', '(?<=a)b']) {
      expect(() => checkPattern(pattern, ''), pattern).toThrow(UnsafePatternError);
    }
    expect(refusal('(')).toBe('$regex is not a valid regular expression');
  });
});

describe('safeRegexTest', () => {
  it('searches anywhere in the value unless anchored', () => {
    expect(safeRegexTest('ab+c', '', 'xxabbbcxx')).toBe(true);
    expect(safeRegexTest('^ab+c$', '', 'xxabbbcxx')).toBe(false);
    expect(safeRegexTest('^ab+c$', '', 'abbbc')).toBe(true);
    expect(safeRegexTest('ABC', '', 'abc')).toBe(false);
    expect(safeRegexTest('ABC', 'i', 'xabcx')).toBe(true);
    expect(safeRegexTest('^$', '', '')).toBe(true);
    expect(safeRegexTest('é', 'i', 'CAFÉ')).toBe(true);
  });

  it('gives the same answer for the same pattern with different flags (flags are part of the cache key)', () => {
    expect(safeRegexTest('abc', '', 'ABC')).toBe(false);
    expect(safeRegexTest('abc', 'i', 'ABC')).toBe(true);
    expect(safeRegexTest('abc', '', 'ABC')).toBe(false);
  });

  it('keeps answering correctly past the compiled-pattern cache size', () => {
    for (let i = 0; i < 600; i++) expect(safeRegexTest(`^n${i}$`, '', `n${i}`)).toBe(true);
    expect(safeRegexTest('^n0$', '', 'n1')).toBe(false);
  });

  it('finishes on patterns that make backtracking engines explode', () => {
    const evil = `${'a'.repeat(5000)}!`;
    expect(safeRegexTest('^(a+)+$', '', evil)).toBe(false);
    expect(safeRegexTest('^(a|a)*$', '', evil)).toBe(false);
    expect(safeRegexTest('(a*)*b', '', evil)).toBe(false);
  });
});
