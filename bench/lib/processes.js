// Child processes of the benchmarks: servers, baselines and load generators each run in their own
// process. With two or more CPUs, servers (and baselines) run on CPU 0 and load on CPU 1, so that
// neither steals the other's time and both contenders are measured alike.
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const root = fileURLToPath(new URL('../..', import.meta.url));
export const PIN = cpus().length >= 2 && spawnSync('taskset', ['-c', '0', 'true']).status === 0;
export const SERVER_CPU = 0;
export const LOAD_CPU = 1;

const running = new Set();
// Whatever happens to the orchestrator, no child it started outlives it.
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});
process.once('SIGINT', () => process.exit(130));
process.once('SIGTERM', () => process.exit(143));

/** `node ...args`, pinned to `cpu` when pinning is possible and a CPU is named. */
function command(args, cpu) {
  return PIN && cpu !== undefined
    ? ['taskset', ['-c', String(cpu), process.execPath, ...args]]
    : [process.execPath, args];
}

/**
 * Starts `node ...args` and resolves once `ready(output)` returns something truthy (its value is
 * `match`). `ipc` opens a message channel (taskset execs node, so it reaches the server itself).
 * Its stdout and stderr go to a file, not to a pipe read here, so that a server logging a line per
 * request never waits on this process (measured: no difference in the admin row, 12.5k req/s both).
 */
export function startNode(args, { cpu, env = {}, ready, ipc = false, timeoutMs = 60_000 }) {
  const [program, argv] = command(args, cpu);
  const logs = mkdtempSync(join(tmpdir(), 'parley-bench-out-'));
  const file = join(logs, 'output.log');
  const fd = openSync(file, 'w');
  const child = spawn(program, argv, {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ['ignore', fd, fd, ...(ipc ? ['ipc'] : [])],
  });
  closeSync(fd);
  running.add(child);
  const output = () => readFileSync(file, 'utf8');
  child.once('exit', () => {
    running.delete(child);
    rmSync(logs, { recursive: true, force: true });
  });
  return new Promise((resolve, reject) => {
    const started = Date.now();
    const poll = setInterval(() => {
      const text = output();
      const match = ready(text);
      if (match) {
        clearInterval(poll);
        resolve({ child, pid: child.pid, match, output });
      } else if (Date.now() - started > timeoutMs) {
        clearInterval(poll);
        child.kill('SIGKILL');
        reject(new Error(`${args.join(' ')} did not start in ${timeoutMs} ms:\n${text.slice(-2000)}`));
      }
    }, 20);
    child.once('exit', (code) => {
      clearInterval(poll);
      reject(new Error(`${args.join(' ')} exited ${code}:\n${existsSync(file) ? output().slice(-2000) : ''}`));
    });
  });
}

/** Runs `node ...args` to its end and returns the JSON of its last stdout line. */
export function runNode(args, { cpu, env = {}, timeoutMs = 300_000 }) {
  const [program, argv] = command(args, cpu);
  const child = spawn(program, argv, { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  running.add(child);
  let out = '';
  let err = '';
  child.stdout.on('data', (chunk) => (out += chunk));
  child.stderr.on('data', (chunk) => (err += chunk));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      running.delete(child);
      const last = out.trim().split('\n').pop();
      if (code !== 0) return reject(new Error(`${args.join(' ')} exited ${code ?? signal}:\n${err.slice(-2000)}`));
      try {
        resolve(JSON.parse(last));
      } catch {
        reject(new Error(`${args.join(' ')} printed no JSON:\n${out.slice(-1000)}\n${err.slice(-1000)}`));
      }
    });
  });
}

/** SIGTERM, then SIGKILL if the process is still there after `graceMs`. */
export function stopProcess(child, graceMs = 15_000) {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

export function tempDir(label) {
  const dir = mkdtempSync(join(tmpdir(), `parley-bench-${label}-`));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

/** Node flags that let `readMemory` ask a server (started with `ipc: true`) for its memory. */
export const MEMORY_PROBE_ARGS = ['--expose-gc', '--import', './bench/lib/memory-probe.js'];

/** Garbage-collects the probed process and returns its process.memoryUsage(). */
export function readMemory(child) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the memory probe did not answer')), 10_000);
    const onMessage = (message) => {
      if (!message?.memory) return;
      clearTimeout(timer);
      child.off('message', onMessage);
      resolve(message.memory);
    };
    child.on('message', onMessage);
    child.send('memory');
  });
}

export const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Epoch milliseconds with sub-millisecond precision, comparable between processes of one machine. */
export const now = () => performance.timeOrigin + performance.now();
