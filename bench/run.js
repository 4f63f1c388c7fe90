// npm run bench [-- group ...]: every row of issue 11's table, each next to its baseline measured in
// the same run, with the target and its verdict; writes bench/results/latest.json. A subset runs
// with group names as arguments or BENCH_ONLY="messages fanout"; its rows replace those groups'
// rows in latest.json and the others stay. Settings: see the README's Performance section.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { join } from 'node:path';
import { PIN, root } from './lib/processes.js';

const GROUPS = {
  messages: 'POST /rooms/:id/message on SQLite and PostgreSQL vs bare INSERTs (rows 1-2)',
  fanout: 'fan-out to 1,000 sockets vs a bare socket.io relay: throughput and p99 (rows 3-4)',
  nodes: 'two nodes on PostgreSQL + Redis vs one (row 5)',
  admin: 'GET /admin/clients vs bare Fastify, API-key verification (row 6)',
  memory: 'idle authenticated sockets vs bare socket.io (row 7)',
  search: 'search in 1,000,000 messages vs the FTS statement alone (row 8)',
};

const asked = process.argv.slice(2).length > 0 ? process.argv.slice(2) : (process.env.BENCH_ONLY ?? '').split(/[\s,]+/);
const selected = asked.filter(Boolean);
const unknown = selected.filter((name) => !(name in GROUPS));
if (unknown.length > 0) {
  console.error(`unknown benchmark group: ${unknown.join(', ')}\ngroups:`);
  for (const [name, what] of Object.entries(GROUPS)) console.error(`  ${name.padEnd(9)} ${what}`);
  process.exit(2);
}
const groups =
  selected.length > 0 ? Object.keys(GROUPS).filter((name) => selected.includes(name)) : Object.keys(GROUPS);

const machine = `${cpus().length} x ${cpus()[0]?.model?.trim() ?? 'CPU'}, ${Math.round(totalmem() / 2 ** 30)} GiB`;
const loadAtStart = loadavg()[0];
const started = performance.now();
console.log(
  `Parley benchmarks — ${new Date().toISOString()}, node ${process.version}, ${machine}; ` +
    (PIN ? 'servers and baselines on CPU 0, load on CPU 1' : 'no CPU pinning') +
    `; load average ${loadAtStart.toFixed(2)} at start\n`,
);

const format = (value) => (value === null ? '—' : typeof value === 'number' ? value.toLocaleString('en') : value);
const printable = (rows) =>
  rows.map((result) => ({
    benchmark: result.benchmark,
    value: result.value === null ? '—' : `${format(result.value)} ${result.unit}`,
    baseline: format(result.baseline),
    ratio: result.ratio === null ? '—' : `${result.ratio}x`,
    target: result.target,
    pass: result.pass === null ? 'skipped' : result.pass ? 'PASS' : 'FAIL',
  }));

const results = [];
for (const group of groups) {
  const groupStarted = performance.now();
  console.log(`== ${group}: ${GROUPS[group]}`);
  let rows;
  try {
    const module = await import(`./${group}.js`);
    rows = await module.run();
  } catch (error) {
    console.error(error);
    const failed = { benchmark: `${group}: failed`, value: null, unit: null, baseline: null, ratio: null };
    rows = [{ ...failed, target: GROUPS[group], pass: false, note: error.message }];
  }
  for (const result of rows) results.push({ group, ...result });
  console.table(printable(rows));
  for (const result of rows) if (result.note) console.log(`  ${result.benchmark}: ${result.note}`);
  console.log(`   (${((performance.now() - groupStarted) / 1000).toFixed(0)} s)\n`);
}

const seconds = (performance.now() - started) / 1000;
const loadAtEnd = loadavg()[0];
console.log(`All rows (${seconds.toFixed(0)} s; load average ${loadAtStart.toFixed(2)} → ${loadAtEnd.toFixed(2)}):`);
console.table(printable(results));
const measured = results.filter((result) => result.pass !== null);
console.log(`${measured.filter((result) => result.pass).length} of ${measured.length} targets hold`);

const file = join(root, 'bench/results/latest.json');
const previous = existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : undefined;
const kept = (previous?.rows ?? []).filter((result) => result.group && !groups.includes(result.group));
const at = new Date().toISOString();
writeFileSync(
  file,
  `${JSON.stringify(
    {
      at,
      node: process.version,
      machine,
      pinned: PIN,
      loadAverage: { start: loadAtStart, end: loadAtEnd },
      seconds: Math.round(seconds),
      groups,
      rows: [...kept, ...results.map((result) => ({ ...result, at }))],
    },
    null,
    2,
  )}\n`,
);
console.log('written bench/results/latest.json');
process.exit(0);
