import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const REPO = fileURLToPath(new URL('../../../', import.meta.url));
const BUILT_INDEX = join(REPO, 'dist/dashboard/index.html');
/** What the bundle is made from: the dashboard's sources and the server file it imports (scopes). */
const SOURCES = [join(REPO, 'dashboard'), join(REPO, 'src/core/scopes.ts')];

function newestChange(path: string): number {
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(stat.mtimeMs, ...readdirSync(path).map((name) => newestChange(join(path, name))));
}

/** Builds the dashboard (as `npm run build` does) when dist/dashboard is missing or older than its sources. */
export function ensureDashboardBuilt(): void {
  const builtAt = existsSync(BUILT_INDEX) ? statSync(BUILT_INDEX).mtimeMs : 0;
  if (builtAt > Math.max(...SOURCES.map(newestChange))) return;
  const vite = join(REPO, 'node_modules/vite/bin/vite.js');
  const result = spawnSync(process.execPath, [vite, 'build', 'dashboard', '--logLevel', 'warn'], {
    cwd: REPO,
    encoding: 'utf8',
    // Vitest runs with NODE_ENV=test, which would make React's development build.
    env: { ...process.env, NODE_ENV: 'production' },
  });
  if (result.status !== 0) throw new Error(`vite build failed:\n${result.stdout}\n${result.stderr}`);
}
