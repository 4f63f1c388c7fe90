import type { Command } from 'commander';
import type { CliContext } from './context.js';
import { type Check, runChecks } from './doctor-checks.js';
import { EXIT } from './output.js';

/** `parley doctor`: checks what a server needs, without changing anything (it does not migrate). */
export function registerDoctorCommands(program: Command, context: CliContext): void {
  program
    .command('doctor')
    .description('check the configuration, database, migrations, Redis, clock and dashboard build')
    .addHelpText('after', '\nEach check prints ok, warn or fail, and what to do. Exit 1 if any check fails.')
    .action(async () => {
      const checks = await runChecks(context.env);
      const healthy = checks.every((check) => check.status !== 'fail');
      context.emit({ ok: healthy, checks }, () => checks.map(checkText));
      if (!healthy) context.exitCode = EXIT.failed;
    });
}

function checkText(check: Check): string {
  const line = `${check.status.padEnd(5)} ${check.name.padEnd(11)} ${check.detail}`;
  return check.fix === undefined ? line : `${line}\n${' '.repeat(18)}-> ${check.fix}`;
}
