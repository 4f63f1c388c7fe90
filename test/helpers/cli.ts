import { spawn } from 'node:child_process';
import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { CliContext } from '../../src/cli/context.js';
import { runCli } from '../../src/cli/main.js';
import { type TestApp, testRedisUrl } from './test-app.js';

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** The environment `parley` gets to work on a test app's database (and Redis, when the run has it). */
export function cliEnv(t: Pick<TestApp, 'config' | 'appId'>): Record<string, string> {
  return {
    DATABASE_URL: t.config.databaseUrl,
    REDIS_PREFIX: t.config.redisPrefix,
    PARLEY_APP_ID: t.appId,
    ...(testRedisUrl ? { REDIS_URL: testRedisUrl } : {}),
  };
}

/**
 * Runs `parley <args>` in this process (the program's parseAsync), its output captured. `prepare`
 * gets the context before the command runs (e.g. to open its services and wrap one).
 */
export async function cliInProcess(
  env: Record<string, string>,
  args: string[],
  options: { stderrIsTty?: boolean; prepare?: (context: CliContext) => Promise<void> } = {},
): Promise<CliRun & { progress: string }> {
  let stdout = '';
  let stderr = '';
  let progress = '';
  const progressStream = Object.assign(new PassThrough(), { isTTY: true, columns: 100 });
  progressStream.on('data', (chunk: Buffer) => (progress += chunk.toString()));
  const context = new CliContext(
    {
      stdout: (text) => (stdout += text),
      stderr: (text) => (stderr += text),
      stderrIsTty: options.stderrIsTty ?? false,
      stdinIsTty: false,
      progressStream,
    },
    env,
  );
  await options.prepare?.(context);
  const code = await runCli(['node', 'parley', ...args], context);
  return { code, stdout, stderr, progress };
}

const MAIN = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));

/** Runs `parley <args>` from the sources as its own process. */
export function cliProcess(env: Record<string, string>, args: string[], timeoutMs = 20_000): Promise<CliRun> {
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN, ...args], {
    env: { PATH: process.env.PATH ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  return new Promise((resolve) =>
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    }),
  );
}
