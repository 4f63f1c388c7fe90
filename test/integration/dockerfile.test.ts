import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { basename, dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readDockerfile, type Stage } from '../helpers/dockerfile.js';
import { freePort } from '../helpers/server-process.js';

/**
 * The Dockerfile's steps, performed on the host in clean temporary folders: no container runtime or registry
 * is reachable here. Each stage's WORKDIR is a folder of its own; COPY copies from the repository (the build
 * context) or from the build stage's folder; RUN runs in the stage's folder, with three exceptions:
 * - `apt-get` installs the image's system packages (the host has its toolchain already);
 * - a step that prepares the VOLUME (a temporary folder stands in for it);
 * - `npm ci` is replaced by a hard-linked copy of this checkout's node_modules, installed by `npm ci` from the
 *   same package-lock.json: a second install from the registry would take minutes here (better-sqlite3's
 *   prebuilt binary cannot be fetched, so it compiles), and CI already runs `npm ci` on a fresh clone.
 * Then the image's CMD runs with its ENV, and its HEALTHCHECK, STOPSIGNAL and `npm start` are tried.
 */

const REPO = fileURLToPath(new URL('../..', import.meta.url));
const STEP_TIMEOUT_MS = 120_000;
const READY_TIMEOUT_MS = 20_000;

const stages = readDockerfile(join(REPO, 'Dockerfile'));
const buildStage = stages.find((stage) => stage.name === 'build')!;
const runtimeStage = stages.at(-1)!;

const temp = mkdtempSync(join(tmpdir(), 'parley-dockerfile-'));
const folders = new Map<Stage, { workdir: string; host: string }>();
const spawned: ChildProcess[] = [];
/** Servers started through npm: if npm failed to stop one, it outlives npm and is stopped after the tests. */
const serverPids: number[] = [];

/** Hard links where the file system allows (fast, and nothing here writes into copied files), else a copy. */
function linkTree(source: string, destination: string): void {
  mkdirSync(dirname(destination), { recursive: true });
  if (spawnSync('cp', ['-al', source, destination]).status !== 0) cpSync(source, destination, { recursive: true });
}

/** A clean environment: nothing of this test run (NODE_ENV=test, npm_* of `npm test`) leaks into the build. */
function cleanEnv(extra: Record<string, string> = {}): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? temp,
    npm_config_update_notifier: 'false',
    ...extra,
  };
}

/** The lockfile's packages that live in folders of the repository rather than under node_modules/. */
function localPackages(): string[] {
  const lock = JSON.parse(readFileSync(join(REPO, 'package-lock.json'), 'utf8')) as {
    packages: Record<string, unknown>;
  };
  return Object.keys(lock.packages).filter((path) => path !== '' && !path.includes('node_modules/'));
}

function hostPath(stage: Stage, containerPath: string): string {
  const folder = folders.get(stage)!;
  const path = containerPath.startsWith('/') ? containerPath : join(folder.workdir, containerPath);
  const inside = relative(folder.workdir, path);
  if (inside.startsWith('..')) throw new Error(`${containerPath} is outside the WORKDIR ${folder.workdir}`);
  return join(folder.host, inside);
}

/** Performs a stage's steps; `afterRun` sees each RUN command once it has succeeded. */
function performStage(stage: Stage, afterRun: (command: string, folder: string) => void = () => {}): void {
  for (const step of stage.steps) {
    if (step.kind === 'workdir') {
      const host = join(temp, stage.name ?? 'runtime');
      mkdirSync(host, { recursive: true });
      folders.set(stage, { workdir: step.path, host });
      continue;
    }
    const folder = folders.get(stage);
    if (!folder) throw new Error('a COPY or RUN before WORKDIR');
    if (step.kind === 'copy') {
      const fromStage = step.from === undefined ? undefined : stages.find((other) => other.name === step.from);
      for (const source of step.sources) {
        const from = fromStage ? hostPath(fromStage, source) : join(REPO, source);
        const into = hostPath(stage, step.destination);
        const destination = step.destination.endsWith('/') ? join(into, basename(source)) : into;
        if (fromStage) linkTree(from, destination);
        else cpSync(from, destination, { recursive: true });
      }
      continue;
    }
    const { command } = step;
    if (/^apt-get\b/.test(command) || stage.volumes.some((volume) => command.includes(volume))) continue;
    if (/^npm ci\b/.test(command)) {
      linkTree(join(REPO, 'node_modules'), join(folder.host, 'node_modules'));
      // `npm ci` also installs the lockfile's local (file:) packages in their folders, e.g. the OpenAPI client
      // generator's; without them a later `npm prune` would fetch their dependencies from the registry.
      for (const local of localPackages()) linkTree(join(REPO, local), join(folder.host, local));
      // npm rewrites its hidden lockfile: a copy of its own, so that the checkout's is never written through a link.
      const hidden = join(folder.host, 'node_modules/.package-lock.json');
      rmSync(hidden, { force: true });
      copyFileSync(join(REPO, 'node_modules/.package-lock.json'), hidden);
      continue;
    }
    // stdin closed, as in a container build: npm 11 on Node 24 waits on an open stdin pipe.
    const run = spawnSync('sh', ['-c', command], {
      cwd: folder.host,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: cleanEnv(),
      encoding: 'utf8',
      timeout: STEP_TIMEOUT_MS,
    });
    if (run.status !== 0) throw new Error(`RUN ${command} failed (${run.status}):\n${run.stdout}\n${run.stderr}`);
    afterRun(command, folder.host);
  }
}

interface Started {
  child: ChildProcess;
  url: string;
  port: number;
  output: () => string;
  exited: Promise<number | null>;
}

/** Spawns a command and waits for `/readyz` to answer 200, or for the command to exit. */
async function startAndWait(
  command: string,
  args: string[],
  cwd: string,
  env: Record<string, string>,
): Promise<Started> {
  const port = Number(env.PORT);
  const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  spawned.push(child);
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (child.exitCode === null && Date.now() < deadline) {
    const status = await fetch(`${url}/readyz`).then(
      (response) => response.status,
      () => 0,
    );
    if (status === 200) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return { child, url, port, output: () => output, exited };
}

async function exitWithin(started: Started, ms: number): Promise<number | null | 'still running'> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<'still running'>((resolve) => {
    timer = setTimeout(() => resolve('still running'), ms);
  });
  const result = await Promise.race([started.exited, timeout]);
  clearTimeout(timer);
  return result;
}

function portIsFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** The pid the server logs in its "parley listening" line. */
function serverPid(output: string): number {
  const line = output.split('\n').find((text) => text.includes('"msg":"parley listening"'));
  return JSON.parse(line ?? '{}').pid;
}

describe('the Dockerfile, performed on the host', () => {
  let ensureAfterBuild: { status: number | null; output: string } | undefined;
  let dataFolder: string;

  beforeAll(() => {
    performStage(buildStage, (command, folder) => {
      if (command !== 'npm run build') return;
      // What `npm start` would do next (its prestart), while the build tools are still installed.
      const ensure = spawnSync(process.execPath, ['scripts/build-state.js', 'ensure'], {
        cwd: folder,
        env: cleanEnv(),
        encoding: 'utf8',
      });
      ensureAfterBuild = { status: ensure.status, output: ensure.stdout + ensure.stderr };
    });
    performStage(runtimeStage);
    dataFolder = join(temp, 'volume');
    mkdirSync(dataFolder);
  }, 2 * STEP_TIMEOUT_MS);

  afterAll(() => {
    for (const child of spawned) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    for (const pid of serverPids) if (isRunning(pid)) process.kill(pid, 'SIGKILL');
    rmSync(temp, { recursive: true, force: true });
  });

  /** The runtime stage's ENV, with the volume's path on the host and a free loopback port. */
  async function runtimeEnv(): Promise<Record<string, string>> {
    const volume = runtimeStage.volumes[0]!;
    return cleanEnv({
      ...runtimeStage.env,
      DATABASE_URL: runtimeStage.env.DATABASE_URL!.replace(`:${volume}/`, `:${dataFolder}/`),
      HOST: '127.0.0.1',
      PORT: String(await freePort()),
      LOG_LEVEL: 'info',
    });
  }

  it('builds on the official Node 24 image and runs as a user other than root, its SQLite data on the volume', () => {
    for (const stage of stages) expect(stage.image).toMatch(/^node:24-/);
    expect(runtimeStage.user).toBeDefined();
    expect(['root', '0']).not.toContain(runtimeStage.user);
    expect(runtimeStage.volumes).toEqual(['/data']);
    expect(runtimeStage.env.DATABASE_URL).toBe('sqlite:/data/parley.db');
    expect(runtimeStage.exposed).toEqual([runtimeStage.env.PORT]);
    expect(runtimeStage.healthcheck?.command.join(' ')).toContain('/readyz');
    expect(runtimeStage.command).toEqual(['node', 'dist/server.js']);
    // Only production dependencies reach the image.
    expect(existsSync(hostPath(runtimeStage, 'node_modules/fastify'))).toBe(true);
    expect(existsSync(hostPath(runtimeStage, 'node_modules/typescript'))).toBe(false);
    expect(existsSync(hostPath(runtimeStage, 'dist/dashboard/index.html'))).toBe(true);
  });

  it('records a build that `npm start` then starts without building again', () => {
    expect(ensureAfterBuild).toEqual({ status: 0, output: '' });
  });

  it('serves /readyz from its CMD and ENV, passes its HEALTHCHECK, and stops cleanly on its STOPSIGNAL', async () => {
    const env = await runtimeEnv();
    const [command, ...args] = runtimeStage.command!;
    const server = await startAndWait(
      command === 'node' ? process.execPath : command!,
      args,
      hostPath(runtimeStage, '.'),
      env,
    );
    expect((await fetch(`${server.url}/readyz`)).status, server.output()).toBe(200);
    expect(existsSync(join(dataFolder, 'parley.db'))).toBe(true);

    const [checkCommand, ...checkArgs] = runtimeStage.healthcheck!.command;
    const check = spawnSync(checkCommand === 'node' ? process.execPath : checkCommand!, checkArgs, {
      env,
      timeout: 10_000,
    });
    expect(check.status).toBe(0);

    server.child.kill(runtimeStage.stopSignal as NodeJS.Signals);
    expect(await exitWithin(server, 20_000)).toBe(0);
    expect(await portIsFree(server.port)).toBe(true);
    // The same check fails once the server is gone: it does test something.
    expect(spawnSync(checkCommand === 'node' ? process.execPath : checkCommand!, checkArgs, { env }).status).toBe(1);
  });

  it('`npm start` on the pruned install starts without TypeScript, and SIGTERM to npm stops the server', async () => {
    const buildFolder = hostPath(buildStage, '.');
    expect(existsSync(join(buildFolder, 'node_modules/typescript'))).toBe(false);
    const npm = await startAndWait('npm', ['start'], buildFolder, await runtimeEnv());
    expect((await fetch(`${npm.url}/readyz`)).status, npm.output()).toBe(200);
    expect(npm.output()).not.toContain('building');
    const pid = serverPid(npm.output());
    serverPids.push(pid);
    expect(pid).not.toBe(npm.child.pid);

    npm.child.kill('SIGTERM');
    expect(await exitWithin(npm, 20_000)).not.toBe('still running');
    expect(isRunning(pid)).toBe(false);
    expect(await portIsFree(npm.port)).toBe(true);
  });

  it('`npm start` on a production install without dist/ says how to build it', async () => {
    const bare = join(temp, 'bare');
    const buildFolder = hostPath(buildStage, '.');
    for (const entry of ['package.json', 'scripts'])
      cpSync(join(buildFolder, entry), join(bare, entry), { recursive: true });
    linkTree(join(buildFolder, 'node_modules'), join(bare, 'node_modules'));
    const run = spawnSync('npm', ['start'], { cwd: bare, env: await runtimeEnv(), encoding: 'utf8', timeout: 30_000 });
    expect(run.status).not.toBe(0);
    expect(run.stderr).toContain('dist/server.js is missing');
  });
});
