import type { Logger } from 'pino';
import { AppError } from '../http/errors.js';
import { findInputProblem, inputProblemError } from '../shared/input-guard.js';
import type { Actor } from '../modules/chat/index.js';
import type { RealtimeDeps } from './realtime-deps.js';
import type { Identity, SocketAuthenticator } from './authenticator.js';
import { EventLimiter } from './event-limiter.js';
import { ackError, ackOk, rooms, toBase64, type ParleySocket } from './session.js';

type Ack = (...args: unknown[]) => void;
type Handler = (socket: ParleySocket, args: unknown[]) => Promise<unknown>;

/** Events a client may send (realtime protocol 4.1, plus `lastRead` and `sync`). */
const EVENTS = new Set(['conf', 'auth', 'auth2', 'chat message', 'typing', 'lastRead', 'sync']);
const REFUSALS_BEFORE_DISCONNECT = 50;

const actorOf = (socket: ParleySocket): Actor => ({
  admin: socket.data.keyId !== undefined,
  userId: socket.data.userId ?? null,
});

function requireAuth(socket: ParleySocket): { appId: string; actor: Actor } {
  const { appId } = socket.data;
  if (appId === undefined) throw new AppError('INVALID_TOKEN', 'Authenticate first (auth or auth2)');
  return { appId, actor: actorOf(socket) };
}

function requireUser(socket: ParleySocket): { appId: string; actor: Actor & { userId: string } } {
  const { appId, actor } = requireAuth(socket);
  if (actor.userId === null) throw new AppError('INVALID_REQUEST', 'This event needs a user connection');
  return { appId, actor: actor as Actor & { userId: string } };
}

const text = (value: unknown, name: string): string => {
  if (typeof value !== 'string' || value === '' || value.length > 1000)
    throw new AppError('INVALID_REQUEST', `${name} must be a non-empty string`);
  return value;
};

/** Wires every client event of one connection, with its rate limit and its answers to bad input. */
export function attachInbound(
  socket: ParleySocket,
  deps: RealtimeDeps,
  authenticator: SocketAuthenticator,
  limiter: EventLimiter,
  logger: Logger,
): void {
  let refusals = 0;
  socket.use((packet, next) => {
    const [event] = packet;
    const last = packet[packet.length - 1];
    const ack = typeof last === 'function' ? (last as Ack) : undefined;
    // Every event counts, known or not: a flood of nonsense is a flood.
    limiter.consume(socket).then(
      () => {
        if (typeof event === 'string' && EVENTS.has(event)) {
          // Before any handler: a NUL or a deep nesting is refused here, as over HTTP.
          const problem = findInputProblem(packet.slice(1));
          if (problem === undefined) return next();
          return ack?.(ackError(inputProblemError(problem, 'Event data')));
        }
        ack?.(ackError(new AppError('NOT_FOUND', `Unknown event "${String(event).slice(0, 64)}"`)));
      },
      (refusal: unknown) => {
        ack?.(ackError(refusal));
        if (++refusals > REFUSALS_BEFORE_DISCONNECT) socket.disconnect(true);
      },
    );
  });

  const on = (event: string, handler: Handler, encodeAck = false) => {
    socket.on(event, (...args: unknown[]) => {
      const ack = typeof args[args.length - 1] === 'function' ? (args.pop() as Ack) : undefined;
      authenticator
        .admit(socket, event)
        .then(() => handler(socket, args))
        .then(
          (result) => {
            if (!ack) return;
            if (result === undefined) ack();
            else ack(encodeAck && socket.data.base64 ? toBase64(result) : result);
          },
          (error: unknown) => {
            if (!(error instanceof AppError)) logger.error({ err: error, event }, 'socket event failed');
            if (ack) ack(encodeAck && socket.data.base64 ? toBase64(ackError(error)) : ackError(error));
          },
        );
    });
  };

  // G2/G3: from now on, pushes (and the auth2 ack) are base64 of the JSON. Idempotent.
  on('conf', async (target, [options]) => {
    const encoding = (options as { encoding?: unknown } | undefined)?.encoding;
    target.data.base64 = encoding === 'base64';
    target.leave(target.data.base64 ? rooms.plain : rooms.base64);
    target.join(target.data.base64 ? rooms.base64 : rooms.plain);
    return undefined;
  });

  // A failed (re-)authentication signs the connection out: it never keeps an identity it could not prove.
  const signedIn = async (target: ParleySocket, attempt: () => Promise<Identity>) => {
    try {
      return ackOk(await authenticator.establish(target, await attempt()));
    } catch (error) {
      authenticator.signOut(target);
      throw error;
    }
  };

  // G1: auth(token); no client key on the socket.
  on('auth', (target, [token]) =>
    signedIn(target, () => authenticator.user(token, undefined, authenticator.address(target))),
  );

  // G2/G3: auth2(token, {CLIENT_KEY, Authorization}); the ack is base64 after conf.
  on(
    'auth2',
    (target, [token, headers]) => {
      const given = (headers && typeof headers === 'object' ? headers : {}) as Record<string, unknown>;
      const clientKey = given.CLIENT_KEY ?? given['IM-CLIENT-KEY'] ?? given.clientKey ?? null;
      return signedIn(target, () =>
        authenticator.user(
          given.Authorization ?? given['IM-Authorization'] ?? token,
          clientKey,
          authenticator.address(target),
        ),
      );
    },
    true,
  );

  // Always a plain ack, in every generation (realtime protocol 4.1).
  on('chat message', async (target, [message]) => {
    const { appId, actor } = requireAuth(target);
    if (message === null || typeof message !== 'object' || Array.isArray(message))
      throw new AppError('INVALID_REQUEST', 'The message must be an object');
    const body = message as Record<string, unknown>;
    return ackOk(await deps.chat.messages.sendAsMember(appId, actor, text(body.room, 'room'), body));
  });

  on('typing', async (target, [roomId, message]) => {
    const { appId, actor } = requireUser(target);
    await deps.chat.typing.typing(appId, actor, text(roomId, 'room'), message);
    return ackOk({});
  });

  on('lastRead', async (target, [roomId, messageId]) => {
    const { appId, actor } = requireUser(target);
    return ackOk(await deps.chat.messages.markRead(appId, actor, text(roomId, 'room'), text(messageId, 'message')));
  });

  // Catch-up after a reconnect: what changed in the user's rooms since a time or a message id.
  on('sync', async (target, [options]) => {
    const { appId, actor } = requireUser(target);
    const since = (options as { since?: unknown } | undefined)?.since;
    return ackOk(await catchUp(deps, appId, actor.userId, since));
  });
}

/** Catch-up after a reconnect (issue 4): the chat's sync service answers. */
async function catchUp(deps: RealtimeDeps, appId: string, userId: string, since: unknown) {
  return deps.chat.sync.catchUp(appId, userId, since);
}

export const createEventLimiter = () => new EventLimiter();
