// A Parley server (dist/server.js) in its own process, and the admin calls that set up a benchmark.
import { MEMORY_PROBE_ARGS, SERVER_CPU, startNode, stopProcess } from './processes.js';

/** BENCH_PROFILE_DIR=dir: every Parley started writes a V8 CPU profile there when it stops. */
const PROFILE_ARGS = process.env.BENCH_PROFILE_DIR
  ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE_DIR}`]
  : [];

/** The limiters keep counting every request; their limits are set where the load cannot reach them. */
const UNREACHABLE_LIMITS = { RATE_LIMIT_PER_MINUTE: '10000000', USER_RATE_LIMIT_PER_MINUTE: '10000000' };

/**
 * Starts Parley on `databaseUrl`. On a new database it reads the first-start banner; on one that
 * already has its key (a second node, a restart) pass the `credentials` it printed then.
 */
export async function startParley({ databaseUrl, cpu = SERVER_CPU, env = {}, credentials, memoryProbe = false }) {
  const server = await startNode([...(memoryProbe ? MEMORY_PROBE_ARGS : []), ...PROFILE_ARGS, 'dist/server.js'], {
    cpu,
    ipc: memoryProbe,
    env: {
      ...UNREACHABLE_LIMITS,
      DATABASE_URL: databaseUrl,
      HOST: '127.0.0.1',
      PORT: '0',
      LOG_LEVEL: 'info',
      ...env,
    },
    ready: (out) => /"msg":"parley listening"/.test(out) && out,
  });
  const out = server.match;
  const url = /"address":"(http:\/\/127\.0\.0\.1:\d+)"/.exec(out)?.[1];
  const apiKey = /API key\s+:\s+(\S+)/.exec(out)?.[1] ?? credentials?.apiKey;
  const clientKey = /Client key\s+:\s+(\S+)/.exec(out)?.[1] ?? credentials?.clientKey;
  if (!url || !apiKey || !clientKey) {
    await stopProcess(server.child);
    throw new Error(`Parley started without a banner and no credentials were given:\n${out.slice(-1000)}`);
  }
  return {
    url,
    apiKey,
    clientKey,
    child: server.child,
    pid: server.pid,
    credentials: { apiKey, clientKey },
    admin: adminClient(url, apiKey),
    stop: () => stopProcess(server.child),
  };
}

export function adminClient(url, apiKey) {
  const call = async (method, path, body) => {
    const response = await fetch(url + path, {
      method,
      headers: { 'im-api-key': apiKey, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    if (response.status !== 200) throw new Error(`${method} ${path}: ${response.status} ${text.slice(0, 500)}`);
    return JSON.parse(text);
  };
  return { call, post: (path, body) => call('POST', path, body), get: (path) => call('GET', path) };
}

/** `count` users named `${prefix}${i}`, each with its own access token, created a few at a time. */
export async function createUsersWithTokens(admin, count, prefix = 'u', parallel = 8) {
  const tokens = new Array(count);
  let next = 0;
  const worker = async () => {
    while (next < count) {
      const index = next++;
      const answer = await admin.post('/admin/clients', {
        _id: `${prefix}${index}`,
        nickname: `User ${index}`,
        issueAccessToken: true,
      });
      tokens[index] = answer.result.token;
    }
  };
  await Promise.all(Array.from({ length: parallel }, worker));
  return tokens.map((token, index) => ({ userId: `${prefix}${index}`, token }));
}

/** The headers IMKIT's SDKs send on every REST call of a signed-in user. */
export const userHeaders = (clientKey, token) => ({ 'IM-CLIENT-KEY': clientKey, 'IM-Authorization': token });
