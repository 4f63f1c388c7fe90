import { CommanderError, InvalidArgumentError } from 'commander';
import { ConfigError } from '../config/config.js';
import { AppError } from '../http/errors.js';

/** The exit codes every command answers with (listed in `parley --help`). */
export const EXIT = {
  /** Done. */
  ok: 0,
  /** The operation failed: not found, refused, a row that did not import, a database that cannot be reached, a doctor check that failed. */
  failed: 1,
  /** The command line (unknown command or option, a bad value) or the configuration is wrong. */
  usage: 2,
} as const;

/** Where a command writes: the process's streams, or a test's buffers. */
export interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
  /** Whether stderr is a terminal: a progress bar is drawn only there. */
  stderrIsTty: boolean;
  stdinIsTty: boolean;
  /** A stream to draw the progress bar on (stderr). */
  progressStream: NodeJS.WritableStream;
}

export const processIo = (): CliIo => ({
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  stderrIsTty: process.stderr.isTTY === true,
  stdinIsTty: process.stdin.isTTY === true,
  progressStream: process.stderr,
});

/** A bad value on the command line: exit 2, like commander's own usage errors. */
export class UsageError extends Error {}

/** A whole number option (`--limit 10`), refused by commander as a usage error otherwise. */
export function wholeNumber(value: string): number {
  if (!/^\d+$/.test(value)) throw new InvalidArgumentError('must be a whole number');
  return Number(value);
}

/** The exit code and message of an error a command ended with. */
export function failureOf(error: unknown): { code: number; errorCode: string; message: string } {
  if (error instanceof UsageError || error instanceof ConfigError)
    return { code: EXIT.usage, errorCode: 'USAGE', message: error.message };
  if (error instanceof CommanderError) return { code: EXIT.usage, errorCode: 'USAGE', message: error.message };
  if (error instanceof AppError) return { code: EXIT.failed, errorCode: error.code, message: error.message };
  return { code: EXIT.failed, errorCode: 'FAILED', message: error instanceof Error ? error.message : String(error) };
}
