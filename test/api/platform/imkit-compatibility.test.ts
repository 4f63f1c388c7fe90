import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RouteEntry } from '../../../src/http/types.js';
import { IMKIT_OPERATIONS, type ImkitOperation } from '../../helpers/imkit-operations.js';
import { buildTestApp, onPostgres, type TestApp } from '../../helpers/test-app.js';

/** `/rooms/:id/members/:invitee` and `/rooms/:roomID/members/:client` alike: `/rooms/:/members/:`. */
const shape = (path: string) =>
  path
    .split('?')[0]!
    .replace(/:[^/]+/g, ':')
    .replace(/(.)\/$/, '$1');

/** The README's compatibility table: one row per operation, `| METHOD | `path` | documented | status |`. */
function readmeRows(): Array<{ method: string; path: string; documented: string; status: string }> {
  const readme = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8');
  const section = readme.split('<!-- imkit-operations:start -->')[1]?.split('<!-- imkit-operations:end -->')[0];
  if (section === undefined) throw new Error('README has no imkit-operations section');
  return section
    .split('\n')
    .map((line) => /^\| (GET|POST|PUT|DELETE|HEAD) \| `([^`]+)` \| (current|older) \| (.+) \|$/.exec(line))
    .filter((match) => match !== null)
    .map(([, method, path, documented, status]) => ({
      method: method!,
      path: path!,
      documented: documented!,
      status: status!,
    }));
}

function isRouted(operation: ImkitOperation, routes: RouteEntry[]): boolean {
  // Fastify answers HEAD for every GET route.
  const method = operation.method === 'HEAD' ? 'GET' : operation.method;
  return routes.some((route) => route.method === method && shape(route.url) === shape(operation.path));
}

// The route table does not depend on the database: checked once, on SQLite.
describe.skipIf(onPostgres)("the README's list of IMKIT operations", () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await buildTestApp();
  });
  afterAll(() => t.close());

  it('lists every operation of the current and the older documentation, in the order of the history spec', () => {
    expect(readmeRows().map(({ method, path, documented }) => ({ method, path, documented }))).toStrictEqual(
      IMKIT_OPERATIONS.map(({ method, path, documented }) => ({ method, path, documented })),
    );
  });

  it('says "implemented" exactly for the operations Parley routes, and gives a reason for every other', () => {
    for (const row of readmeRows()) {
      const operation = IMKIT_OPERATIONS.find((entry) => entry.method === row.method && entry.path === row.path)!;
      const routed = isRouted(operation, t.app.routeTable);
      expect(row.status === 'implemented', `${row.method} ${row.path}: README says ${row.status}`).toBe(routed);
      if (!routed) expect(row.status, `${row.method} ${row.path}`).toMatch(/^(left out|not yet): .{10,}/);
    }
  });
});
