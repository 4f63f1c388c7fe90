import http from 'node:http';
import { randomBytes } from 'node:crypto';

/**
 * HTTP as a mobile or web client library sends it to a listening Parley: exactly the headers the
 * client sets, plus only what any HTTP/1.1 client adds (Host, Connection, Content-Length).
 */

export interface ClientAnswer {
  status: number;
  headers: http.IncomingHttpHeaders;
  raw: Buffer;
  /** The body parsed as JSON, or undefined when it is not JSON. */
  json: any;
}

export function send(
  url: string,
  options: { method: string; headers: Record<string, string>; body?: Buffer | string },
): Promise<ClientAnswer> {
  const body = typeof options.body === 'string' ? Buffer.from(options.body) : options.body;
  const headers = body === undefined ? options.headers : { ...options.headers, 'Content-Length': String(body.length) };
  return new Promise((resolve, reject) => {
    const request = http.request(url, { method: options.method, headers }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => {
        const raw = Buffer.concat(chunks);
        let json: unknown;
        try {
          json = JSON.parse(raw.toString('utf8'));
        } catch {
          json = undefined;
        }
        resolve({ status: response.statusCode ?? 0, headers: response.headers, raw, json });
      });
    });
    request.setTimeout(10_000, () => request.destroy(new Error(`${options.method} ${url} timed out`)));
    request.on('error', reject);
    request.end(body);
  });
}

export type FormPart =
  | { name: string; value: string }
  | { name: string; filename: string; type: string; content: Buffer };

/**
 * How a client library writes multipart/form-data: dio (Flutter) a `--dart-http-boundary-` boundary
 * and lower-case part headers, a browser's FormData (axios, the web SDKs) a WebKit boundary and
 * capitalized ones.
 */
const FORM_SPELLINGS = {
  dio: {
    boundary: () => `--dart-http-boundary-${randomBytes(12).toString('hex')}`,
    disposition: 'content-disposition',
    type: 'content-type',
  },
  browser: {
    boundary: () => `----WebKitFormBoundary${randomBytes(8).toString('hex')}`,
    disposition: 'Content-Disposition',
    type: 'Content-Type',
  },
};
export type FormSpelling = keyof typeof FORM_SPELLINGS;

/** A multipart/form-data body of `parts` in order, as the client library `spelling` sends it. */
export function multipartBody(
  parts: FormPart[],
  spelling: FormSpelling,
  boundary = FORM_SPELLINGS[spelling].boundary(),
): { payload: Buffer; contentType: string } {
  const { disposition, type } = FORM_SPELLINGS[spelling];
  const chunks: Buffer[] = [];
  for (const part of parts) {
    chunks.push(Buffer.from(`--${boundary}\r\n`));
    if ('filename' in part) {
      chunks.push(
        Buffer.from(
          `${disposition}: form-data; name="${part.name}"; filename="${part.filename}"\r\n${type}: ${part.type}\r\n\r\n`,
        ),
        part.content,
        Buffer.from('\r\n'),
      );
    } else {
      chunks.push(Buffer.from(`${disposition}: form-data; name="${part.name}"\r\n\r\n${part.value}\r\n`));
    }
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return { payload: Buffer.concat(chunks), contentType: `multipart/form-data; boundary=${boundary}` };
}

/** Fails like a client whose call was rejected: the status and the body it got. */
export class RejectedCall extends Error {
  constructor(
    readonly call: string,
    readonly answer: ClientAnswer,
  ) {
    super(`${call} → HTTP ${answer.status} ${answer.raw.toString('utf8').slice(0, 400)}`);
  }
}
