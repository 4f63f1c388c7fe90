import type { Command } from 'commander';
import { setupLinkUrl } from '../bootstrap.js';
import type { CliContext } from './context.js';
import { newPassword } from './password.js';

/** `parley operators …`: the dashboard's operators (not in the audit trail, as the dashboard's own routes are not). */
export function registerOperatorsCommands(program: Command, context: CliContext): void {
  const operatorsCommand = program.command('operators').description('dashboard operators');
  const operatorsOf = async () => (await context.services()).modules.operators.operators;

  operatorsCommand
    .command('list')
    .description('every operator')
    .action(async () => {
      const list = await (await operatorsOf()).list();
      const data = list.map((operator) => ({
        id: operator.id,
        name: operator.name,
        createdAt: new Date(operator.createdAt).toISOString(),
      }));
      context.emit({ totalCount: data.length, data }, () => [
        ['ID', 'NAME', 'CREATED'].join('\t'),
        ...data.map((operator) => [operator.id, operator.name, operator.createdAt].join('\t')),
      ]);
    });

  operatorsCommand
    .command('create')
    .description('a new operator (the password is asked, or read from stdin)')
    .argument('<NAME>')
    .option('--password-stdin', 'read the password from standard input')
    .action(async (name: string, options: { passwordStdin?: boolean }) => {
      const password = await newPassword(options.passwordStdin ?? false);
      const operator = await (await operatorsOf()).create(name, password);
      context.emit(
        { id: operator.id, name: operator.name },
        () => `Created operator ${operator.name} (${operator.id}).`,
      );
    });

  operatorsCommand
    .command('reset-password')
    .description("a new password; ends the operator's sessions")
    .argument('<NAME>')
    .option('--password-stdin', 'read the password from standard input')
    .action(async (name: string, options: { passwordStdin?: boolean }) => {
      const password = await newPassword(options.passwordStdin ?? false);
      const operator = await (await operatorsOf()).resetPassword(name, password);
      context.emit(
        { id: operator.id, name: operator.name, sessionsEnded: true },
        () => `New password set for ${operator.name}; its sessions have ended.`,
      );
    });

  operatorsCommand
    .command('setup-link')
    .description('a new one-time link to create an operator in the browser')
    .action(async () => {
      const { token, expiresAt } = await (await operatorsOf()).createSetupToken();
      const { host, port } = context.config();
      const url = setupLinkUrl(token, host, port);
      const until = new Date(expiresAt).toISOString();
      context.emit({ url, expiresAt: until }, () => [url, `(One use, valid until ${until}.)`]);
    });
}
