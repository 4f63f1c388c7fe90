#!/usr/bin/env node
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const cli = new URL('../dist/cli/main.js', import.meta.url);
if (!existsSync(fileURLToPath(cli))) {
  process.stderr.write('parley: not built yet; run `npm run build` first\n');
  process.exit(1);
}
const { runCli } = await import(cli.href);
process.exit(await runCli(process.argv));
