import { pino, type DestinationStream, type Logger } from 'pino';
import type { LogLevel } from './config/config.js';

const SECRET_HEADERS = [
  'im-api-key',
  'api_key',
  'im-client-key',
  'client_key',
  'im-authorization',
  'authorization',
  // The dashboard's session cookie (sent and set) and its CSRF token.
  'cookie',
  'set-cookie',
  'x-csrf-token',
];

/** JSON logs; credential headers are censored wherever a request's headers get logged. */
export function createLogger(level: LogLevel, destination?: DestinationStream): Logger {
  const paths = SECRET_HEADERS.flatMap((name) => [
    `req.headers["${name}"]`,
    `headers["${name}"]`,
    `request.headers["${name}"]`,
  ]);
  return pino({ level, redact: { paths, censor: '[redacted]' } }, destination);
}
