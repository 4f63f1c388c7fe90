// Row 8 of issue 11: POST /search as a member of 20 of 200 rooms, with BENCH_SEARCH_MESSAGES
// (1,000,000) messages loaded, for a rare word, a word common everywhere and a word common only in
// rooms the reader is not in; p99 of BENCH_SEARCH_REPEAT (200) sequential searches, or as many as
// BENCH_SEARCH_SECONDS (4) allow, against the same full-text statement alone on the same database.
import { join } from 'node:path';
import { KEYWORDS, createCorpusRooms } from './lib/corpus.js';
import { startParley, userHeaders } from './lib/parley.js';
import { SERVER_CPU, runNode, tempDir } from './lib/processes.js';
import { latencies, row } from './lib/rows.js';
import { SEARCH_MESSAGES, SEARCH_SAMPLING } from './lib/settings.js';

const LIMIT = 50;
const CASES = [
  ['rare word', KEYWORDS.rare],
  ['word common in every room', KEYWORDS.common],
  ["word common in other rooms (none in the reader's)", KEYWORDS.otherRooms],
];

async function searchTimes(server, headers, keyword) {
  const search = async () => {
    const response = await fetch(`${server.url}/search`, {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/json' },
      body: JSON.stringify({ type: ['messages'], keyword, limit: LIMIT }),
    });
    const text = await response.text();
    if (response.status !== 200) throw new Error(`search ${keyword}: ${response.status} ${text.slice(0, 300)}`);
  };
  return latencies(search, SEARCH_SAMPLING);
}

export async function run() {
  const { dir, remove } = tempDir('search');
  const path = join(dir, 'search.db');
  try {
    const setup = await startParley({ databaseUrl: `sqlite:${path}` });
    let token;
    try {
      await createCorpusRooms(setup.admin.post);
      token = (await setup.admin.post('/admin/clients', { _id: 'reader', issueAccessToken: true })).result.token;
    } finally {
      await setup.stop();
    }
    const loaded = await runNode(['bench/lib/search-loader.js'], {
      cpu: SERVER_CPU,
      env: { BENCH_LOAD_PATH: path, BENCH_LOAD_COUNT: String(SEARCH_MESSAGES) },
      timeoutMs: 900_000,
    });

    const parley = await startParley({ databaseUrl: `sqlite:${path}`, credentials: setup.credentials });
    const times = {};
    try {
      for (const [, keyword] of CASES)
        times[keyword] = await searchTimes(parley, userHeaders(parley.clientKey, token), keyword);
    } finally {
      await parley.stop();
    }
    const bare = await runNode(['bench/lib/search-baseline.js'], {
      cpu: SERVER_CPU,
      env: {
        BENCH_SEARCH: JSON.stringify({
          path,
          keywords: CASES.map(([, keyword]) => keyword),
          reader: 'reader',
          limit: LIMIT,
          sampling: SEARCH_SAMPLING,
        }),
      },
    });
    return CASES.map(([label, keyword]) =>
      row({
        benchmark: `search in ${SEARCH_MESSAGES.toLocaleString('en')} messages, p99, ${label}`,
        value: times[keyword].p99,
        unit: 'ms',
        baseline: bare[keyword].p99,
        target: '<= 50 ms',
        pass: (value) => value <= 50,
        note: `"${keyword}"; p50 ${times[keyword].p50.toFixed(2)} vs ${bare[keyword].p50.toFixed(2)} ms; ${times[keyword].samples} vs ${bare[keyword].samples} searches; loaded in ${loaded.seconds.done} s`,
      }),
    );
  } finally {
    remove();
  }
}
