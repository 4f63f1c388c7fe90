import type { Command } from 'commander';
import type { CliContext } from './context.js';

/** `parley migrate`: opening the services applies every pending migration. */
export function registerMigrateCommands(program: Command, context: CliContext): void {
  program
    .command('migrate')
    .description('apply database migrations')
    .action(async () => {
      await context.services();
      context.emit({ upToDate: true }, () => 'Database is up to date.');
    });
}
