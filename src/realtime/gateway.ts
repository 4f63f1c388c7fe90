import type { Server as HttpServer } from 'node:http';
import { Server } from 'socket.io';
import { createAdapter } from '@socket.io/redis-adapter';
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import { AppError, errorBody } from '../http/errors.js';
import { findInputProblem, inputProblemError } from '../shared/input-guard.js';
import type { RealtimeDeps } from './realtime-deps.js';
import { SocketAuthenticator, type Identity } from './authenticator.js';
import { FanOut } from './fan-out.js';
import { attachInbound, createEventLimiter } from './inbound.js';
import { rooms, type ParleySocket } from './session.js';

/** IMKIT's oldest SDK calls a connection dead after 6 s without a ping (realtime protocol 2). */
const PING_INTERVAL_MS = 5_000;
const PING_TIMEOUT_MS = 8_000;
/** A connection must authenticate (auth, auth2 or the handshake) within this time. */
const AUTH_TIMEOUT_MS = 30_000;
/** Any single packet larger than this closes the connection. */
const MAX_PACKET_BYTES = 1024 * 1024;

export interface Gateway {
  io: Server;
  /** Live authenticated connections of an application, on every node. */
  connectionCount(appId: string): Promise<number>;
  /** Connections open on this node. */
  localCount(): number;
  close(): Promise<void>;
}

/**
 * socket.io on the HTTP server's port, for every IMKIT SDK generation at once: Engine.IO 3
 * (`allowEIO3`, polling then WebSocket, or WebSocket only) and Engine.IO 4.
 */
export function createGateway(
  httpServer: HttpServer,
  deps: RealtimeDeps,
  logger: Logger,
  redis: Redis | undefined,
): Gateway {
  const io: Server = new Server(httpServer, {
    path: '/socket.io',
    allowEIO3: true,
    transports: ['polling', 'websocket'],
    // Polling XHRs of the oldest SDK carry credentials: reflect the origin (realtime protocol 1.3),
    // or only those CORS_ORIGINS names.
    cors: { origin: Array.isArray(deps.config.corsOrigins) ? deps.config.corsOrigins : true, credentials: true },
    pingInterval: PING_INTERVAL_MS,
    pingTimeout: PING_TIMEOUT_MS,
    maxHttpBufferSize: MAX_PACKET_BYTES,
    // /socket.io/socket.io.js (and .min.js, .esm.min.js, maps): the current client, for /chat-test.
    serveClient: true,
  });
  const adapterClients: Redis[] = [];
  if (redis) {
    const pub = redis.duplicate();
    const sub = redis.duplicate();
    for (const client of [pub, sub]) client.on('error', () => undefined);
    adapterClients.push(pub, sub);
    io.adapter(createAdapter(pub, sub, { key: `${deps.config.redisPrefix}socket.io` }));
  }

  const authenticator = new SocketAuthenticator(deps);
  const limiter = createEventLimiter();
  const handshakeIdentity = new WeakMap<object, Identity>();

  // Current clients may authenticate in the handshake (`auth: {token, clientKey}` or `{apiKey}`);
  // IMKIT's SDKs send nothing there and authenticate with an event instead.
  io.use((socket, next) => {
    const auth = (socket.handshake.auth ?? {}) as Record<string, unknown>;
    const ip = authenticator.address(socket);
    const problem = findInputProblem(auth);
    if (problem !== undefined) {
      const refusal = inputProblemError(problem, 'The handshake auth');
      return next(Object.assign(new Error(refusal.message), { data: errorBody(refusal) }));
    }
    const attempt =
      auth.apiKey !== undefined
        ? authenticator.apiKey(auth.apiKey, ip)
        : auth.token !== undefined
          ? authenticator.user(auth.token, auth.clientKey, ip)
          : undefined;
    if (!attempt) return next();
    attempt.then(
      (identity) => {
        handshakeIdentity.set(socket, identity);
        next();
      },
      (error: unknown) => {
        const appError = error instanceof AppError ? error : new AppError('INTERNAL_ERROR');
        next(Object.assign(new Error(appError.message), { data: errorBody(appError) }));
      },
    );
  });

  io.on('connection', (raw) => {
    const socket = raw as ParleySocket;
    socket.data = { base64: false };
    socket.join(rooms.plain);
    attachInbound(socket, deps, authenticator, limiter, logger);
    const identity = handshakeIdentity.get(socket);
    if (identity) {
      authenticator.establish(socket, identity).catch((error: unknown) => {
        logger.warn({ err: error }, 'socket handshake session failed');
        socket.disconnect(true);
      });
    }
    const timer = setTimeout(() => {
      if (socket.data.appId === undefined) socket.disconnect(true);
    }, AUTH_TIMEOUT_MS);
    timer.unref();
    socket.once('disconnect', () => {
      clearTimeout(timer);
      authenticator.signOut(socket);
      limiter.delete(socket.id).catch(() => undefined);
    });
  });

  const fanOut = new FanOut(io, deps, logger);
  fanOut.start();
  authenticator.keySessions.start();

  return {
    io,
    async connectionCount(appId) {
      const sockets = await io.fetchSockets();
      return sockets.filter((socket) => (socket.data as { appId?: string }).appId === appId).length;
    },
    localCount: () => io.of('/').sockets.size,
    async close() {
      fanOut.stop();
      authenticator.keySessions.stop();
      io.local.disconnectSockets(true);
      io.engine.close();
      for (const client of adapterClients) client.disconnect();
    },
  };
}
