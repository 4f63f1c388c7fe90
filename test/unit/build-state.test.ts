import { spawnSync } from 'node:child_process';
import {
  appendFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

const SCRIPT = fileURLToPath(new URL('../../scripts/build-state.js', import.meta.url));

/**
 * `scripts/build-state.js` in a project of a few files whose "build" counts its runs in build.log and
 * writes dist/server.js, recording its state exactly as the real `npm run build` does.
 */
function fakeProject(): string {
  const root = mkdtempSync(join(tmpdir(), 'parley-build-state-'));
  const write = (path: string, content: string) => {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), content);
  };
  cpSync(SCRIPT, join(root, 'scripts/build-state.js'));
  write(
    'package.json',
    JSON.stringify({
      type: 'module',
      scripts: {
        build: 'node scripts/build-state.js forget && node fake-build.js && node scripts/build-state.js record',
      },
    }),
  );
  write(
    'fake-build.js',
    "import { appendFileSync, mkdirSync, writeFileSync } from 'node:fs';\n" +
      'if (process.env.FAIL_BUILD) process.exit(3);\n' +
      "appendFileSync('build.log', 'built\\n');\n" +
      "mkdirSync('dist', { recursive: true });\n" +
      "writeFileSync('dist/server.js', '');\n",
  );
  // npm's part, for speed (npm itself takes most of a second to start): run the named script in a shell.
  write(
    'fake-npm.js',
    "import { execSync } from 'node:child_process';\n" +
      "import { readFileSync } from 'node:fs';\n" +
      "const script = JSON.parse(readFileSync('package.json', 'utf8')).scripts[process.argv[3]];\n" +
      "try { execSync(script, { stdio: 'inherit' }); } catch (error) { process.exit(error.status ?? 1); }\n",
  );
  write('package-lock.json', '{}');
  write('tsconfig.json', '{}');
  write('src/server.ts', 'export {};\n');
  write('dashboard/src/main.tsx', 'export {};\n');
  write('node_modules/typescript/package.json', '{"name":"typescript"}');
  write('node_modules/vite/package.json', '{"name":"vite"}');
  return root;
}

function ensure(root: string, env: Record<string, string> = {}) {
  const run = spawnSync(process.execPath, ['scripts/build-state.js', 'ensure'], {
    cwd: root,
    env: { PATH: process.env.PATH ?? '', npm_execpath: join(root, 'fake-npm.js'), ...env },
    encoding: 'utf8',
    timeout: 30_000,
  });
  return { code: run.status, stderr: run.stderr };
}

const builds = (root: string) =>
  existsSync(join(root, 'build.log')) ? readFileSync(join(root, 'build.log'), 'utf8').split('\n').length - 1 : 0;

describe('npm start builds only when the build is stale (scripts/build-state.js)', () => {
  let root: string;
  beforeEach(() => {
    root = fakeProject();
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('builds a checkout that was never built, then starts without building while nothing changed', () => {
    // This once through npm itself (no npm_execpath: as when the script is run by hand).
    expect(ensure(root, { npm_execpath: '' }).code).toBe(0);
    expect(builds(root)).toBe(1);
    expect(existsSync(join(root, 'dist/.build-state.json'))).toBe(true);

    const again = ensure(root);
    expect(again).toEqual({ code: 0, stderr: '' });
    expect(builds(root)).toBe(1);
  });

  it('builds again after any change to an input, once', () => {
    const changes: [string, () => void][] = [
      ['a server source changes', () => appendFileSync(join(root, 'src/server.ts'), '// edit\n')],
      ['a dashboard source changes', () => appendFileSync(join(root, 'dashboard/src/main.tsx'), '//\n')],
      ['a source is added', () => writeFileSync(join(root, 'src/new.ts'), 'export {};\n')],
      ['a source is removed', () => rmSync(join(root, 'dashboard/src/main.tsx'))],
      ['the TypeScript configuration changes', () => writeFileSync(join(root, 'tsconfig.json'), '{ }')],
      ['the dependencies change', () => writeFileSync(join(root, 'package-lock.json'), '{"v":2}')],
    ];
    ensure(root);
    for (const [index, [what, change]] of changes.entries()) {
      change();
      const run = ensure(root);
      expect(run.code, what).toBe(0);
      expect(run.stderr, what).toContain('building');
      expect(builds(root), what).toBe(index + 2);
    }
    expect(ensure(root).stderr).toBe('');
    expect(builds(root)).toBe(changes.length + 1);
  });

  it('fails with the build, and records nothing so that the next start builds again', () => {
    expect(ensure(root, { FAIL_BUILD: '1' }).code).not.toBe(0);
    expect(existsSync(join(root, 'dist/.build-state.json'))).toBe(false);
    expect(ensure(root).code).toBe(0);
    expect(builds(root)).toBe(1);
  });

  it('starts the existing build of a production install (no TypeScript), even with changed sources', () => {
    ensure(root);
    rmSync(join(root, 'node_modules/typescript'), { recursive: true });
    appendFileSync(join(root, 'src/server.ts'), '// edit\n');
    const run = ensure(root);
    expect(run.code).toBe(0);
    expect(run.stderr).toContain('starting the existing build');
    expect(builds(root)).toBe(1);
  });

  it('explains what to do when a production install has no build to start', () => {
    rmSync(join(root, 'node_modules/vite'), { recursive: true });
    const run = ensure(root);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('dist/server.js is missing and the build tools (TypeScript, Vite) are not installed');
    expect(run.stderr).toContain('npm run build');
    expect(builds(root)).toBe(0);
  });
});
