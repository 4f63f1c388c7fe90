import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { asOperator, login, runCliFromSource } from '../../helpers/operators.js';
import { buildTestApp, type TestApp } from '../../helpers/test-app.js';

/** `parley operators …` run as its own process (from the sources) on the database of a running server. */
let t: TestApp;
beforeAll(async () => {
  t = await buildTestApp();
});
afterAll(() => t.close());

const FIRST = 'first password, long enough';
const SECOND = 'second password, long enough';

describe('parley operators (CLI)', () => {
  it('creates an operator from --password-stdin, printing nothing secret; list shows it', async () => {
    const created = await runCliFromSource(t, ['operators', 'create', 'judy', '--password-stdin'], `${FIRST}\n`);
    expect(created.code, created.stderr).toBe(0);
    expect(created.stdout).toMatch(/Created operator judy \(op_/);
    expect(created.stdout + created.stderr).not.toContain(FIRST);
    expect(created.stdout).not.toContain('argon2');

    const list = await runCliFromSource(t, ['operators', 'list']);
    expect(list.code).toBe(0);
    expect(list.stdout).toMatch(/op_\S+\tjudy\t/);
    expect(list.stdout).not.toContain('argon2');

    const again = await runCliFromSource(t, ['operators', 'create', 'judy', '--password-stdin'], FIRST);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('already exists');
    const noTerminal = await runCliFromSource(t, ['operators', 'create', 'kim']);
    expect(noTerminal.code).toBe(1);
    expect(noTerminal.stderr).toContain('--password-stdin');
  }, 60_000);

  it('reset-password sets a new password and ends every session of the operator', async () => {
    const session = await login(t, 'judy', FIRST);
    expect((await asOperator(t, session, 'GET', '/dashboard/api/session')).statusCode).toBe(200);
    const reset = await runCliFromSource(t, ['operators', 'reset-password', 'judy', '--password-stdin'], SECOND);
    expect(reset.code, reset.stderr).toBe(0);
    expect(reset.stdout).toContain('sessions have ended');
    expect((await asOperator(t, session, 'GET', '/dashboard/api/session')).statusCode).toBe(401);
    expect((await asOperator(t, session, 'GET', '/admin/keys')).statusCode).toBe(401);
    await expect(login(t, 'judy', FIRST)).rejects.toThrow(/401/);
    expect((await login(t, 'judy', SECOND)).operator.name).toBe('judy');
    const unknown = await runCliFromSource(t, ['operators', 'reset-password', 'nobody', '--password-stdin'], SECOND);
    expect(unknown.code).toBe(1);
  }, 60_000);

  it('setup-link prints a new one-time link that creates an operator once', async () => {
    const printed = await runCliFromSource(t, ['operators', 'setup-link']);
    expect(printed.code, printed.stderr).toBe(0);
    const token = /\/dashboard\/setup#token=([A-Za-z0-9_-]+)/.exec(printed.stdout)?.[1];
    expect(token).toBeDefined();
    const setup = (name: string) =>
      t.app.inject({ method: 'POST', url: '/dashboard/api/setup', payload: { token, name, password: FIRST } });
    expect((await setup('lena')).statusCode).toBe(201);
    expect((await setup('lena2')).statusCode).toBe(401);
  }, 60_000);
});
