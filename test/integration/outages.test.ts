import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type PrivatePostgres,
  type PrivateRedis,
  startPrivatePostgres,
  startPrivateRedis,
} from '../helpers/private-services.js';
import { callServer, type ServerProcess, startServer } from '../helpers/server-process.js';

interface LogLine {
  level: number;
  msg: string;
  err?: { stack?: string };
}

const WAIT_MS = 10_000;

/** The server's JSON log lines (stdout is a pipe, so JSON it is). */
const logLines = (server: ServerProcess): LogLine[] =>
  server.stdout.filter((line) => line.startsWith('{')).map((line) => JSON.parse(line) as LogLine);

async function until<T>(what: string, check: () => Promise<T | undefined> | T | undefined): Promise<T> {
  const deadline = Date.now() + WAIT_MS;
  for (;;) {
    const found = await check();
    if (found !== undefined) return found;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(100);
  }
}

const logged = (server: ServerProcess, pattern: RegExp, after = 0) =>
  until(`a log line ${pattern}`, () =>
    logLines(server)
      .slice(after)
      .find((line) => pattern.test(line.msg)),
  );

const readiness = async (server: ServerProcess) => {
  const response = await fetch(`${server.url}/readyz`);
  return { status: response.status, body: (await response.json()) as { checks: Record<string, string> } };
};

const readyzAnswers = (server: ServerProcess, status: number) =>
  until(`/readyz ${status}`, async () => {
    const answer = await readiness(server);
    return answer.status === status ? answer : undefined;
  });

/**
 * Redis and PostgreSQL of the test's own are lost and brought back under a running server (issue 13):
 * one "lost" line and one "back" line each, /readyz 503 meanwhile, and the API working after.
 */
describe('outages of Redis and the database under a running server', () => {
  let postgres: PrivatePostgres | undefined;
  let redis: PrivateRedis | undefined;
  let server: ServerProcess | undefined;
  let env: Record<string, string>;
  let admin: Record<string, string>;
  let users = 0;

  const createUser = async () => {
    users += 1;
    return callServer(server!, 'POST', '/admin/clients', admin, { _id: `user-${users}`, nickname: 'U' });
  };

  /** Stops the traffic of a test that failed before it could. */
  let stopTraffic: (() => Promise<number[]>) | undefined;

  /**
   * Three clients writing and reading without pause until stopped, so that requests are in flight
   * (transactions open) when a service goes; answers each call's status (0: no answer at all).
   */
  const traffic = () => {
    const statuses: number[] = [];
    const answer = (response: Promise<{ status: number }>) => response.then(({ status }) => status).catch(() => 0);
    let running = true;
    const client = async () => {
      while (running) {
        statuses.push(await answer(createUser()));
        statuses.push(await answer(callServer(server!, 'GET', '/admin/clients', admin)));
        if (statuses.includes(0)) return; // the server is gone
      }
    };
    const clients = [client(), client(), client()];
    stopTraffic = async () => {
      running = false;
      await Promise.all(clients);
      return statuses;
    };
    return stopTraffic;
  };

  /** Calls made during an outage succeed or answer 503; none fails with a 500 or takes the server down. */
  const expectServedThrough = (statuses: number[]) => {
    expect(statuses.length).toBeGreaterThan(4);
    const unexpected = logLines(server!)
      .filter((line) => line.msg === 'unexpected error')
      .map((line) => JSON.stringify(line.err).slice(0, 600));
    const others = new Set(statuses.filter((status) => status !== 200 && status !== 503));
    expect(others, [...unexpected, ...server!.stderr].join('\n')).toEqual(new Set());
  };

  beforeAll(async () => {
    postgres = await startPrivatePostgres();
    redis = await startPrivateRedis();
    await Promise.all([postgres.start(), redis.start()]);
    // Without Redis each node counts a key's requests on its own: far from any limit here.
    env = { DATABASE_URL: postgres.url, REDIS_URL: redis.url, RATE_LIMIT_PER_MINUTE: '1000000' };
    server = await startServer(env);
    admin = { 'im-api-key': server.banner!.apiKey };
  }, 60_000);

  afterAll(async () => {
    await stopTraffic?.();
    await server?.stop('SIGKILL');
    await redis?.dispose();
    await postgres?.dispose();
  });

  it('logs "Redis lost" once and answers 503 while Redis is down; "Redis back" and 200 once it returns', async () => {
    expect((await createUser()).status).toBe(200);
    expect((await readiness(server!)).status).toBe(200);
    const before = logLines(server!).length;

    const stopClients = traffic();
    await sleep(200);
    await redis!.kill();
    const lost = await logged(server!, /^Redis lost: /, before);
    expect(lost.level).toBe(50);
    const down = await readyzAnswers(server!, 503);
    expect(down.body.checks.redis).not.toBe('ok');
    expect(down.body.checks.database).toBe('ok');
    // Written to the database; its event reaches no other node (nor Redis) but the call succeeds.
    expect((await createUser()).status).toBe(200);
    await sleep(1500); // several reconnection attempts
    await redis!.start();
    const back = await logged(server!, /^Redis back after [\d.]+ s$/, before);
    expect(back.level).toBe(30);
    await readyzAnswers(server!, 200);
    expectServedThrough(await stopClients());
    expect((await createUser()).status).toBe(200);

    const outage = logLines(server!).slice(before);
    expect(outage.filter((line) => /^Redis (lost|back)/.test(line.msg))).toHaveLength(2);
    expect(outage.filter((line) => line.err?.stack !== undefined)).toStrictEqual([]);
  }, 30_000);

  it('logs "database lost" and answers 503 while PostgreSQL is down; "database back" and 200 once it returns', async () => {
    const before = logLines(server!).length;
    // Connections checked out by requests in flight are cut too (once, that crashed the process).
    const stopClients = traffic();
    await sleep(200);
    await postgres!.stop();
    const down = await readyzAnswers(server!, 503);
    expect(down.body.checks.database).toBe('unavailable');
    const lost = await logged(server!, /^database lost: /, before);
    expect(lost.level).toBe(50);
    const refused = await createUser();
    expect(refused).toMatchObject({ status: 503, body: { error: { code: 'SERVICE_UNAVAILABLE' } } });
    await postgres!.start();
    await readyzAnswers(server!, 200);
    const back = await logged(server!, /^database back after [\d.]+ s$/, before);
    expect(back.level).toBe(30);
    const statuses = await stopClients();
    expectServedThrough(statuses);
    expect(statuses).toContain(503);
    expect((await createUser()).status).toBe(200);
    const outage = logLines(server!).slice(before);
    expect(outage.filter((line) => /^database (lost|back)/.test(line.msg))).toHaveLength(2);
    expect(outage.filter((line) => line.err?.stack !== undefined)).toStrictEqual([]);
  }, 30_000);

  it('waits at start for a database and a Redis still starting, logging each wait', async () => {
    expect(await server!.stop()).toBe(0);
    server = undefined;
    await postgres!.stop();
    await redis!.kill();
    const starting = startServer(env);
    await sleep(2500);
    await postgres!.start();
    await sleep(2000);
    await redis!.start();
    server = await starting;
    const lines = logLines(server);
    const waits = lines.filter((line) => /^database not reachable yet \(.+\), retrying in [\d.]+ s$/.test(line.msg));
    expect(waits.length).toBeGreaterThanOrEqual(1);
    expect(lines.some((line) => /^Redis not reachable yet \(.+\), retrying in [\d.]+ s$/.test(line.msg))).toBe(true);
    expect((await readiness(server)).status).toBe(200);
    expect((await createUser()).status).toBe(200);
  }, 40_000);

  it('gives up with a clear error once DATABASE_CONNECT_TIMEOUT_S has passed', async () => {
    await server!.stop();
    server = undefined;
    await postgres!.stop();
    const started = Date.now();
    await expect(startServer({ ...env, DATABASE_CONNECT_TIMEOUT_S: '2' })).rejects.toThrow(
      /server exited with 1: parley: failed to start: database not reachable after 2 s \(DATABASE_CONNECT_TIMEOUT_S\): .*ECONNREFUSED/,
    );
    expect(Date.now() - started).toBeLessThan(10_000);
  }, 20_000);
});
