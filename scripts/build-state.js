#!/usr/bin/env node
// Whether dist/ was built from the sources as they are now, so that `npm start` builds only when needed.
// Plain JavaScript on purpose: it runs before anything is compiled, and after a production install
// (`npm prune --omit=dev`) that has no TypeScript.
//
//   node scripts/build-state.js ensure   build (`npm run build`) unless dist/ is current; `prestart` runs it
//   node scripts/build-state.js forget   the build starts: dist/ no longer matches anything
//   node scripts/build-state.js record   the build succeeded: dist/ matches the sources as they are now
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const stampFile = join(root, 'dist', '.build-state.json');
const serverFile = join(root, 'dist', 'server.js');

/** Everything the build reads: a change to any of these makes dist/ stale. */
const INPUT_FOLDERS = ['src', 'dashboard'];
const INPUT_FILES = ['package.json', 'package-lock.json', 'tsconfig.json', 'tsconfig.build.json'];
/** The packages `npm run build` runs; a production install has neither. */
const BUILD_TOOLS = ['typescript/package.json', 'vite/package.json'];

function filesUnder(folder) {
  if (!existsSync(folder)) return [];
  return readdirSync(folder, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name))
    .filter((file) => !file.split(sep).includes('node_modules'));
}

/** A hash of the inputs' paths and contents (not their times: a fresh checkout touches every file). */
function inputsHash() {
  const files = [
    ...INPUT_FOLDERS.flatMap((folder) => filesUnder(join(root, folder))),
    ...INPUT_FILES.map((file) => join(root, file)).filter((file) => existsSync(file)),
  ]
    .map((file) => relative(root, file).split(sep).join('/'))
    .sort();
  const hash = createHash('sha256');
  for (const file of files) {
    const content = readFileSync(join(root, file));
    hash.update(`${file}\0${content.length}\0`).update(content);
  }
  return hash.digest('hex');
}

function recordedHash() {
  try {
    return JSON.parse(readFileSync(stampFile, 'utf8')).inputs;
  } catch {
    return undefined;
  }
}

function hasBuildTools() {
  const require = createRequire(join(root, 'package.json'));
  return BUILD_TOOLS.every((tool) => {
    try {
      require.resolve(tool);
      return true;
    } catch {
      return false;
    }
  });
}

/** `npm run build`, passing on SIGINT/SIGTERM so that stopping `npm start` mid-build stops the build too. */
function runBuild() {
  // Under npm, npm_execpath is npm's own CLI: run it with this node, no shell in between.
  const npmCli = process.env.npm_execpath;
  const [command, args] = npmCli ? [process.execPath, [npmCli, 'run', 'build']] : ['npm', ['run', 'build']];
  const child = spawn(command, args, { cwd: root, stdio: 'inherit' });
  const forward = (signal) => child.kill(signal);
  process.on('SIGINT', forward).on('SIGTERM', forward);
  return new Promise((resolve) => {
    child.on('error', (error) => {
      process.stderr.write(`parley: could not run the build: ${error.message}\n`);
      resolve(1);
    });
    child.on('exit', (code, signal) => resolve(signal ? 1 : (code ?? 1)));
  });
}

async function ensure() {
  if (recordedHash() === inputsHash()) return 0;
  if (!hasBuildTools()) {
    if (existsSync(serverFile)) {
      // A production install (`npm prune --omit=dev`) cannot build: it runs the build it was given.
      process.stderr.write(
        'parley: the build tools (TypeScript, Vite) are not installed; starting the existing build in dist/\n',
      );
      return 0;
    }
    process.stderr.write(
      'parley: dist/server.js is missing and the build tools (TypeScript, Vite) are not installed (a production install?).\n' +
        '  Build first with every dependency: `npm ci && npm run build`, then `npm prune --omit=dev` if you wish.\n',
    );
    return 1;
  }
  process.stderr.write('parley: the sources changed since the last build; building (npm run build)\n');
  return runBuild();
}

const commands = {
  ensure,
  forget: async () => {
    rmSync(stampFile, { force: true });
    return 0;
  },
  record: async () => {
    mkdirSync(dirname(stampFile), { recursive: true });
    writeFileSync(stampFile, `${JSON.stringify({ inputs: inputsHash(), builtAt: new Date().toISOString() })}\n`);
    return 0;
  },
};

const command = commands[process.argv[2] ?? ''];
if (!command) {
  process.stderr.write('usage: node scripts/build-state.js ensure|forget|record\n');
  process.exit(2);
}
process.exitCode = await command();
