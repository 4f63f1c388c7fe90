// The baseline servers, each in its own process on the server CPU.
import { MEMORY_PROBE_ARGS, SERVER_CPU, startNode, stopProcess } from './processes.js';

const started = async (args, options) => {
  const server = await startNode(args, { cpu: SERVER_CPU, ready: (out) => /listening (\S+)/.exec(out), ...options });
  return { url: server.match[1], child: server.child, stop: () => stopProcess(server.child) };
};

/** socket.io relaying HTTP POSTs to one room (bare-relay.js); `memoryProbe` lets readMemory ask it. */
export const startBareRelay = ({ memoryProbe = false } = {}) =>
  started([...(memoryProbe ? MEMORY_PROBE_ARGS : []), 'bench/lib/bare-relay.js'], { ipc: memoryProbe });

/** Fastify answering `body` on GET /admin/clients (bare-fastify.js), with Parley's headers when `withHeaders`. */
export const startBareFastify = (body, withHeaders = false) =>
  started(['bench/lib/bare-fastify.js'], { env: { BARE_BODY: body, BARE_HEADERS: withHeaders ? '1' : '0' } });
