import { RE2JS } from 're2js';

/**
 * Regular expressions from untrusted filters run on RE2 semantics (linear time, no backtracking),
 * so that no pattern can stall the server. PostgreSQL evaluates the same checked patterns with
 * its own engine, which is why constructs the two engines read differently are refused here.
 */
export const MAX_PATTERN_LENGTH = 256;

const UNPORTABLE = [
  { test: /\(\?P?</, what: 'named groups' },
  { test: /\(\?[a-zA-Z-]+[):]/, what: 'inline flags (use $options)' },
  { test: /\\[pPQEzACbB]/, what: 'this escape sequence' },
];

export class UnsafePatternError extends Error {}

/** Checks a pattern for use in a filter; throws UnsafePatternError with a reason. */
export function checkPattern(pattern: string, options: string): { caseInsensitive: boolean } {
  if (pattern.length > MAX_PATTERN_LENGTH) {
    throw new UnsafePatternError(`$regex is longer than ${MAX_PATTERN_LENGTH} characters`);
  }
  if (!/^i?$/.test(options)) throw new UnsafePatternError('$options supports only "i"');
  for (const rule of UNPORTABLE) {
    if (rule.test.test(pattern)) throw new UnsafePatternError(`$regex does not support ${rule.what}`);
  }
  try {
    compiled(pattern, options);
  } catch {
    throw new UnsafePatternError('$regex is not a valid regular expression');
  }
  return { caseInsensitive: options === 'i' };
}

const cache = new Map<string, RE2JS>();
const CACHE_LIMIT = 256;

function compiled(pattern: string, flags: string): RE2JS {
  const cacheKey = `${flags}/${pattern}`;
  let regex = cache.get(cacheKey);
  if (!regex) {
    regex = RE2JS.compile(pattern, flags.includes('i') ? RE2JS.CASE_INSENSITIVE : 0);
    if (cache.size >= CACHE_LIMIT) cache.delete(cache.keys().next().value as string);
    cache.set(cacheKey, regex);
  }
  return regex;
}

/** Linear-time search of `value` for `pattern` (flags: "" or "i"). */
export function safeRegexTest(pattern: string, flags: string, value: string): boolean {
  return compiled(pattern, flags).test(value);
}
