// Prints bench/results/latest.json as the Markdown table the README's Performance section shows.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { root } from './lib/processes.js';

const results = JSON.parse(readFileSync(join(root, 'bench/results/latest.json'), 'utf8'));
const number = (value) => (typeof value === 'number' ? value.toLocaleString('en') : (value ?? '—'));
const cell = (text) => String(text).replaceAll('|', '\\|');
const lines = [
  '| What | Parley | Baseline, same run | Ratio | Target | Holds |',
  '|---|---|---|---|---|---|',
  ...results.rows
    .map((row) =>
      [
        row.benchmark,
        row.value === null ? '—' : `${number(row.value)} ${row.unit}`,
        number(row.baseline),
        row.ratio === null ? '—' : `${row.ratio}×`,
        row.target,
        row.pass === null ? 'skipped' : row.pass ? 'yes' : '**no**',
      ]
        .map(cell)
        .join(' | '),
    )
    .map((line) => `| ${line} |`),
];
const dates = [...new Set(results.rows.map((row) => row.at?.slice(0, 10)).filter(Boolean))].join(', ');
console.log(`${lines.join('\n')}\n\n${results.machine}, Node.js ${results.node}, measured ${dates}.`);
