import { io, type Socket } from 'socket.io-client';
import { multipartBody, RejectedCall, send, type ClientAnswer } from './client-http.js';
import {
  asMap,
  parseCancelInvitation,
  parseInvitation,
  parseLastRead,
  parseMessage,
  parseRoom,
  parseTyping,
  parseUpload,
  type IMUpload,
} from './dart-models.js';
import { sleep } from './expect.js';
import { PushLog } from './push-log.js';

/**
 * IMKIT's Flutter SDK on the wire (other-clients.md 1), as the iOS and Android SDKs of the same
 * family speak it: REST with every request's headers replaced by `IM-CLIENT-KEY`,
 * `IM-Authorization` and `IM-CLIENT-ID`, answers unwrapped as `result.data ?? result`, success
 * being any 2xx; a socket that sends `conf {encoding: "base64"}` then `auth2` inside its ack and
 * reads every push as base64 of JSON.
 */
export class FlutterClient {
  constructor(
    readonly baseUrl: string,
    readonly clientKey: string,
    readonly uid: string,
    /** null before login without a token (the SDK then signs first). */
    public token: string | null,
  ) {}

  /** The headers of every REST call; a missing token is left out, as dio drops null header values. */
  headers(): Record<string, string> {
    return {
      'IM-CLIENT-KEY': this.clientKey,
      ...(this.token === null ? {} : { 'IM-Authorization': this.token }),
      'IM-CLIENT-ID': this.uid,
    };
  }

  /** One call as the SDK's retrofit client sends it; resolves with the answer whatever its status. */
  request(method: string, path: string, body?: unknown): Promise<ClientAnswer> {
    const headers = this.headers();
    if (body === undefined) return send(`${this.baseUrl}${path}`, { method, headers });
    return send(`${this.baseUrl}${path}`, {
      method,
      headers: { ...headers, 'content-type': 'application/json; charset=utf-8' },
      body: JSON.stringify(body),
    });
  }

  /** What the SDK hands to a model: `result.data` when present and non-null, else `result`; non-2xx rejects. */
  async call<T>(method: string, path: string, body: unknown, model: (json: unknown) => T): Promise<T> {
    const answer = await this.request(method, path, body);
    if (answer.status < 200 || answer.status > 299) throw new RejectedCall(`${method} ${path}`, answer);
    const result = asMap(answer.json, 'body').result;
    const data = result !== null && typeof result === 'object' ? (result as { data?: unknown }).data : undefined;
    return model(data ?? result);
  }

  /** A list answer (`rooms`, `messages`): a list of maps the model maps one by one. */
  list<T>(path: string, model: (json: unknown, path: string) => T): Promise<T[]> {
    return this.call('GET', path, undefined, (json) => {
      if (!Array.isArray(json)) throw new TypeError(`${path}: the answer is not a list`);
      return json.map((item, index) => model(item, `${path}[${index}]`));
    });
  }

  /** `POST /files/:bucket`, multipart with one part `file`. */
  async upload(bucket: string, file: { filename: string; type: string; content: Buffer }): Promise<IMUpload> {
    const form = multipartBody([{ name: 'file', ...file }], 'dio');
    const answer = await send(`${this.baseUrl}/files/${bucket}`, {
      method: 'POST',
      headers: { ...this.headers(), 'content-type': form.contentType },
      body: form.payload,
    });
    if (answer.status !== 200) throw new RejectedCall(`POST /files/${bucket}`, answer);
    return parseUpload(asMap(answer.json, 'body').result);
  }

  /** The URL the SDK builds from an upload answer. */
  fileUrl(upload: IMUpload): string {
    return `${this.baseUrl}/files/${upload.bucketName}/${upload.id}`;
  }

  /** The cache manager's download: `IM-CLIENT-KEY` and `IM-Authorization` only. */
  async download(url: string): Promise<Buffer> {
    const answer = await send(url, {
      method: 'GET',
      headers: { 'IM-CLIENT-KEY': this.clientKey, 'IM-Authorization': this.token ?? '' },
    });
    if (answer.status !== 200) throw new RejectedCall(`GET ${url}`, answer);
    return answer.raw;
  }
}

/** The events the SDK listens to, each with the model its listener builds (1.2). */
const LISTENERS: Record<string, (json: unknown) => unknown> = {
  room: (json) => {
    const room = parseRoom(json);
    return room.id === '' ? undefined : room;
  },
  'chat message': (json) => {
    const message = parseMessage(json);
    return message.room ? message : undefined;
  },
  typing: parseTyping,
  lastRead: parseLastRead,
  invitation: parseInvitation,
  cancelInvitation: parseCancelInvitation,
  myPrefChange: (json) => asMap(json, 'myPrefChange'),
  roomPref: (json) => asMap(json, 'roomPref'),
};

/** `auth2`'s ack as the SDK reads it: base64 of JSON with `RC == 401` stops it for good. */
function authFailed(ack: unknown): boolean {
  if (typeof ack !== 'string') return false;
  try {
    return JSON.parse(Buffer.from(ack, 'base64').toString('utf8'))?.RC === 401;
  } catch {
    return false;
  }
}

/** The SDK's socket: WebSocket only, reconnecting at once, `conf` then `auth2` on every connect. */
export class FlutterSocket extends PushLog {
  readonly raw: Socket;
  /** Every `auth2` ack, as received. */
  readonly authAcks: unknown[] = [];
  /** Acks with no value: the SDK would drop the connection and connect again. */
  nullAcks = 0;
  state: 'connecting' | 'authenticated' | 'unauthorized' = 'connecting';
  /** Pushes a listener dropped: not a base64 string of JSON (the SDK ignores them silently). */
  readonly dropped: Array<{ event: string; payload: unknown }> = [];
  /** Pushes whose model threw (the listener would crash on them). */
  readonly castErrors: string[] = [];

  constructor(url: string, clientKey: string, token: string) {
    super();
    this.raw = io(url, {
      transports: ['websocket'],
      forceNew: true,
      autoConnect: false,
      reconnection: true,
      reconnectionAttempts: Number.POSITIVE_INFINITY,
      reconnectionDelay: 1,
      reconnectionDelayMax: 5,
    });
    this.raw.on('connect', () => {
      this.raw.emit('conf', { encoding: 'base64' }, () => {
        this.raw.emit('auth2', token, { 'IM-CLIENT-KEY': clientKey, 'IM-Authorization': token }, (ack: unknown) =>
          this.onAuthAck(ack),
        );
      });
    });
    for (const [event, model] of Object.entries(LISTENERS))
      this.raw.on(event, (payload: unknown) => this.onPush(event, payload, model));
    this.raw.connect();
  }

  private onAuthAck(ack: unknown): void {
    this.authAcks.push(ack);
    if (ack === null || ack === undefined || ack === 'NO ACK') {
      this.nullAcks++;
      this.raw.disconnect().connect();
    } else if (authFailed(ack)) {
      this.state = 'unauthorized';
      this.raw.disconnect();
    } else {
      this.state = 'authenticated';
    }
  }

  private onPush(event: string, payload: unknown, model: (json: unknown) => unknown): void {
    let json: unknown;
    try {
      if (typeof payload !== 'string') throw new TypeError('not a string');
      json = JSON.parse(Buffer.from(payload, 'base64').toString('utf8'));
    } catch {
      this.dropped.push({ event, payload });
      return;
    }
    try {
      this.keep(event, model(json));
    } catch (error) {
      this.castErrors.push(`${event}: ${(error as Error).message}`);
    }
  }

  /** Resolves once `auth2` was acknowledged as the SDK reads it; rejects on a 401 or after `ms`. */
  async authenticated(ms = 5000): Promise<void> {
    const deadline = Date.now() + ms;
    while (this.state === 'connecting') {
      if (Date.now() > deadline)
        throw new Error(`no auth2 answer within ${ms} ms (acks ${JSON.stringify(this.authAcks)})`);
      await sleep(10);
    }
    if (this.state === 'unauthorized') throw new Error('auth2 answered RC 401');
  }

  protected override unaccepted(event: string): string {
    const dropped = this.dropped.filter((entry) => entry.event === event).map((entry) => entry.payload);
    const errors = this.castErrors.filter((error) => error.startsWith(`${event}:`));
    return `cast errors ${JSON.stringify(errors)}; dropped ${JSON.stringify(dropped).slice(0, 300)}`;
  }

  close(): void {
    this.raw.close();
  }
}
