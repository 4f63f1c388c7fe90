// Row 7 of issue 11: what an idle authenticated socket costs the server. BENCH_IDLE_SOCKETS
// (5,000; up to 20,000) sockets, each signed in as its own user, against a bare socket.io server
// with the same number of idle sockets. The server's RSS (and heap) after garbage collection is
// read with half the sockets connected and with all: the growth over the second half, per
// socket, is what each costs (the first half also fills whatever room the process started with,
// more of it in a large server than in a bare one, so a plain before/after would favour Parley).
import { join } from 'node:path';
import { startBareRelay } from './lib/baselines.js';
import { createUsersWithTokens, startParley } from './lib/parley.js';
import { readMemory, sleep, tempDir } from './lib/processes.js';
import { row } from './lib/rows.js';
import { anonymousGroups, memberGroups, split, startSocketClients } from './lib/sockets.js';
import { IDLE_SOCKETS } from './lib/settings.js';

/** The figure: ~19 KiB a socket (583 MiB at 19,850). */
const HELD_KIB = 20;
const SETTLE_MS = 3000;

/** KiB of RSS and of heap per socket: the growth of `server` from half of `groups`' sockets to all. */
async function perSocket(server, groups) {
  const [firstHalf, secondHalf] = split(groups, 2);
  const clients = [];
  try {
    const connected = async (half) => {
      const started = await startSocketClients(half);
      clients.push(started);
      await sleep(SETTLE_MS);
      return { memory: await readMemory(server.child), added: started.connected };
    };
    const half = await connected(firstHalf);
    const all = await connected(secondHalf);
    const kib = (field) => (all.memory[field] - half.memory[field]) / all.added / 1024;
    return { rss: kib('rss'), heap: kib('heapUsed'), rssMiB: all.memory.rss / 2 ** 20 };
  } finally {
    for (const started of clients) await started.stop();
  }
}

export async function run() {
  const { dir, remove } = tempDir('memory');
  const databaseUrl = `sqlite:${join(dir, 'memory.db')}`;
  let signedIn;
  try {
    const setup = await startParley({ databaseUrl });
    let users;
    try {
      users = await createUsersWithTokens(setup.admin, IDLE_SOCKETS, 'idle-', 16);
    } finally {
      await setup.stop();
    }
    // Measured from a fresh start, as the bare server is: no pages left over from the setup.
    const parley = await startParley({ databaseUrl, credentials: setup.credentials, memoryProbe: true });
    try {
      signedIn = await perSocket(parley, memberGroups([parley.url], users, parley.clientKey, 2));
    } finally {
      await parley.stop();
    }
  } finally {
    remove();
  }
  const bare = await startBareRelay({ memoryProbe: true });
  let idle;
  try {
    idle = await perSocket(bare, anonymousGroups(bare.url, IDLE_SOCKETS, 2));
  } finally {
    await bare.stop();
  }
  const sockets = IDLE_SOCKETS.toLocaleString('en');
  return [
    row({
      benchmark: `idle authenticated sockets (${sockets}), server RSS per socket`,
      value: signedIn.rss,
      unit: 'KiB/socket',
      baseline: idle.rss,
      target: `held: <= ${HELD_KIB} KiB/socket (issue 11: ~19)`,
      pass: (value) => value <= HELD_KIB,
      digits: 1,
      note: `RSS with all sockets ${signedIn.rssMiB.toFixed(0)} vs ${idle.rssMiB.toFixed(0)} MiB`,
    }),
    row({
      benchmark: `idle authenticated sockets (${sockets}), server heap per socket`,
      value: signedIn.heap,
      unit: 'KiB/socket',
      baseline: idle.heap,
      target: 'reported (steadier than RSS)',
      pass: true,
      digits: 1,
    }),
  ];
}
