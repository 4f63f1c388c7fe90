// npm run bench:censorship — masking sensitive words (spec 7.8) must cost the same whatever the
// size of the list (issue 5: "linear time whatever the word list"). Baselines in the same run: the
// same matcher with 10 keywords, and a naive replace-per-keyword loop with the large list.
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { performance } from 'node:perf_hooks';

const root = fileURLToPath(new URL('..', import.meta.url));
const { KeywordMask } = await import(join(root, 'dist/shared/keyword-mask.js'));

const LARGE = Number(process.env.BENCH_KEYWORDS ?? 10_000);
const words = (count) => Array.from({ length: count }, (_, index) => `badword${index}`);
const text = 'An ordinary chat message about lunch plans, with badword7 and badword9999 hidden in it. '.repeat(12);

function time(run, rounds = 2000) {
  for (let i = 0; i < 200; i++) run();
  const start = performance.now();
  for (let i = 0; i < rounds; i++) run();
  return ((performance.now() - start) / rounds) * 1000;
}

const small = new KeywordMask(words(10));
const large = new KeywordMask(words(LARGE));
const naiveList = words(LARGE);
const naive = () => naiveList.reduce((result, word) => result.split(word).join('*'.repeat(word.length)), text);

const smallUs = time(() => small.mask(text));
const largeUs = time(() => large.mask(text));
const naiveUs = time(naive, 50);
console.log(`Masking a ${text.length}-character message (µs per message):`);
console.log(`  10 keywords              ${smallUs.toFixed(1)}`);
console.log(
  `  ${LARGE} keywords        ${largeUs.toFixed(1)}   (${(largeUs / smallUs).toFixed(2)}x the 10-keyword case)`,
);
console.log(
  `  naive loop, ${LARGE} kw  ${naiveUs.toFixed(1)}   (${(naiveUs / largeUs).toFixed(0)}x slower than the matcher)`,
);
