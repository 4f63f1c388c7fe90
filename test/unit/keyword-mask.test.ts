import { describe, expect, it } from 'vitest';
import { KeywordMask } from '../../src/shared/keyword-mask.js';

describe('KeywordMask (spec 7.8: mask sensitive words with *)', () => {
  it('masks every occurrence, case-sensitively, with one * per character', () => {
    const mask = new KeywordMask(['foo', 'bar']);
    expect(mask.mask('foo and bar, Foo, foofoo')).toBe('*** and ***, Foo, ******');
  });

  it('masks overlapping and nested keywords entirely', () => {
    expect(new KeywordMask(['abc', 'bcd']).mask('xabcdx')).toBe('x****x');
    expect(new KeywordMask(['he', 'she', 'his', 'hers']).mask('ushers')).toBe('u*****');
    expect(new KeywordMask(['a', 'aaa']).mask('baaab')).toBe('b***b');
  });

  it('handles non-Latin text and leaves text without keywords unchanged', () => {
    expect(new KeywordMask(['壞話', 'плохо']).mask('這是壞話，очень плохо')).toBe('這是**，очень *****');
    const text = 'nothing to see';
    expect(new KeywordMask(['xyz']).mask(text)).toBe(text);
    expect(new KeywordMask([]).mask(text)).toBe(text);
    expect(new KeywordMask(['', 'see']).mask(text)).toBe('nothing to ***');
  });

  it('stays linear: ten thousand keywords against a long text', () => {
    const keywords = Array.from({ length: 10_000 }, (_, index) => `word${index}x`);
    const mask = new KeywordMask(keywords);
    const text = 'word1x '.repeat(10_000);
    expect(mask.mask(text)).toBe('****** '.repeat(10_000));
  });
});
