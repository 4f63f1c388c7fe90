import { decodeJwt } from 'jose';
import { io, type Socket } from 'socket.io-client';
import { multipartBody, RejectedCall, send, type ClientAnswer, type FormPart } from './client-http.js';
import { PushLog } from './push-log.js';

/**
 * IMKIT's Vue/Nuxt client (`imkit-vue-sdk`, other-clients.md 4) on the wire: axios with every
 * request's headers replaced by `IM-Authorization`, `IM-Client-Key`, `x-timezone` and
 * `accept-language`; the user id read from the token as a JWT; a socket that sends `auth2` with no
 * `conf` and no ack, and uses every push as a plain object.
 */

/** The plugin's identity (4.1): the token's `id` claim, else `_id`, decoded without verification; '' when not a JWT. */
export function userIdFromToken(token: string): string {
  try {
    const claims = decodeJwt(token);
    const id = claims.id ?? claims._id;
    return typeof id === 'string' ? id : '';
  } catch {
    return '';
  }
}

/** axios's params serializer: null/undefined left out, values percent-encoded with spaces as `+`. */
export function axiosQuery(params: Record<string, string | number | boolean | undefined>): string {
  const encode = (value: string) =>
    encodeURIComponent(value).replace(/%3A/gi, ':').replace(/%24/g, '$').replace(/%2C/gi, ',').replace(/%20/g, '+');
  const pairs = Object.entries(params)
    .filter(([, value]) => value !== undefined && value !== null)
    .map(([name, value]) => `${encode(name)}=${encode(String(value))}`);
  return pairs.length === 0 ? '' : `?${pairs.join('&')}`;
}

export interface VueRequest {
  query?: Record<string, string | number | boolean | undefined>;
  body?: unknown;
  form?: FormPart[];
}

export class VueClient {
  readonly uid: string;

  constructor(
    readonly domain: string,
    readonly clientKey: string,
    readonly token: string,
    readonly locale = { timezone: 'Asia/Taipei', language: 'zh-TW' },
  ) {
    this.uid = userIdFromToken(token);
  }

  /** The request interceptor's headers, replacing all others. */
  headers(): Record<string, string> {
    return {
      'IM-Authorization': this.token,
      'IM-Client-Key': this.clientKey,
      'x-timezone': this.locale.timezone,
      'accept-language': this.locale.language,
    };
  }

  request(method: string, path: string, options: VueRequest = {}): Promise<ClientAnswer> {
    const url = `${this.domain}${path}${axiosQuery(options.query ?? {})}`;
    if (options.form) {
      const form = multipartBody(options.form, 'browser');
      return send(url, {
        method,
        headers: { ...this.headers(), 'Content-Type': form.contentType },
        body: form.payload,
      });
    }
    if (options.body === undefined) return send(url, { method, headers: this.headers() });
    return send(url, {
      method,
      headers: { ...this.headers(), 'Content-Type': 'application/json' },
      body: JSON.stringify(options.body),
    });
  }

  /** What the store reads: `body.result`; any non-2xx rejects (RC is never checked). */
  async result(method: string, path: string, options: VueRequest = {}): Promise<any> {
    const answer = await this.request(method, path, options);
    if (answer.status < 200 || answer.status > 299) throw new RejectedCall(`${method} ${path}`, answer);
    return answer.json?.result;
  }

  /**
   * loadMessages (4.5): with a cursor the store drops the page's first item, which it expects to be
   * the cursor message itself; answers the page as the server sent it and what the store keeps.
   */
  async loadMessages(
    roomId: string,
    cursor?: { beforeMessage: string } | { afterMessage: string },
  ): Promise<{ page: any[]; kept: any[]; totalCount: number }> {
    const query =
      cursor === undefined
        ? { limit: 30 }
        : 'beforeMessage' in cursor
          ? { beforeMessage: cursor.beforeMessage, sortOrder: 'desc', limit: 30 }
          : { afterMessage: cursor.afterMessage, sortOrder: 'asc', limit: 30 };
    const result = await this.result('GET', `/rooms/${encodeURIComponent(roomId)}/messages/v3`, { query });
    const page: any[] = result.data;
    return { page, kept: cursor === undefined ? page : page.slice(1), totalCount: result.totalCount };
  }
}

/** A room as the store shows it (4.4): only `clientType: "user"` members count; members must be an array. */
export function vueRoom(room: any, viewer: string) {
  if (!Array.isArray(room.members)) throw new TypeError(`room ${room._id}: members is not an array`);
  const users = room.members.filter((member: any) => member?.clientType === 'user');
  const others = users.filter((member: any) => member._id !== viewer);
  const title =
    room.name ||
    (room.roomType === 'direct' ? (others[0]?.nickname ?? '') : users.map((u: any) => u.nickname).join(', '));
  return { id: room._id as string, title: title as string, users: users as any[], unread: room.unread as number };
}

/** The store's push handlers (4.2): each throws where the client's would, or answers undefined when it ignores the push. */
const HANDLERS: Record<string, (payload: any, viewer: string) => unknown> = {
  'chat message': (message) =>
    message && typeof message.sender === 'object' && message.sender !== null ? message : undefined,
  room: (room, viewer) => ({ room, view: vueRoom(room, viewer) }),
  lastRead: (read) =>
    [read?.roomID, read?.memberID, read?.messageID].every((value) => typeof value === 'string') ? read : undefined,
  roomPref: (pref) => pref,
  myPrefChange: (change) => change,
  myPrefDelete: (key) => key,
  typing: (typing) => {
    const info = typing.senderInfo;
    if (info === null || typeof info !== 'object')
      throw new TypeError("Cannot read properties of undefined (reading 'nickname')");
    return { room: typing.room, sender: typing.sender, nickname: info.nickname, senderInfo: info };
  },
  ai_streaming: (chunk) => chunk,
};

/** The client's socket: WebSocket, `auth2` on every connect (no ack), its own `connect()` after a server's disconnect. */
export class VueSocket extends PushLog {
  readonly raw: Socket;
  connects = 0;
  disconnects = 0;
  /** Pushes a handler threw on, or got in another form than a plain object. */
  readonly problems: string[] = [];

  constructor(
    url: string,
    clientKey: string,
    token: string,
    private readonly viewer: string,
  ) {
    super();
    this.raw = io(url, {
      forceBase64: true,
      transports: ['websocket'],
      forceNew: true,
      reconnection: true,
      reconnectionAttempts: Number.POSITIVE_INFINITY,
      reconnectionDelay: 1000,
      reconnectionDelayMax: 5000,
    });
    this.raw.on('connect', () => {
      this.connects++;
      this.raw.emit('auth2', token, { CLIENT_KEY: clientKey, Authorization: token });
    });
    this.raw.on('disconnect', () => {
      this.disconnects++;
      if (!this.raw.active) this.raw.connect();
    });
    this.raw.on('connect_error', () => {
      if (!this.raw.active) this.raw.connect();
    });
    for (const [event, handle] of Object.entries(HANDLERS))
      this.raw.on(event, (payload: unknown) => this.onPush(event, payload, handle));
  }

  private onPush(event: string, payload: unknown, handle: (payload: any, viewer: string) => unknown): void {
    const plain =
      event === 'myPrefDelete' ? typeof payload === 'string' : payload !== null && typeof payload === 'object';
    if (!plain) {
      this.problems.push(`${event}: a ${typeof payload}, not a plain push`);
      return;
    }
    try {
      this.keep(event, handle(payload, this.viewer));
    } catch (error) {
      this.problems.push(`${event}: ${(error as Error).message}`);
    }
  }

  /** The store's `typing(roomId)`: one argument, no ack. */
  typing(roomId: string): void {
    this.raw.emit('typing', roomId);
  }

  protected override unaccepted(event: string): string {
    return `problems ${JSON.stringify(this.problems.filter((problem) => problem.startsWith(`${event}:`)))}`;
  }

  close(): void {
    this.raw.close();
  }
}
