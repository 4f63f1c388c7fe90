/**
 * The `parley` command line (bin/parley.js runs `runCli` of the built dist/cli/main.js).
 *
 * How a command group is added (follow it for every new group, e.g. `data-commands.ts`):
 * - one file per group, `src/cli/<group>-commands.ts`, exporting
 *   `register<Group>Commands(program: Command, context: CliContext): void`, registered below in
 *   `buildProgram` (in the order `--help` lists them);
 * - an action gets what it works on from the context: `context.services()` (config, storage migrated,
 *   event bus, every module; opened once, on first use, and closed by `runCli` after the command),
 *   `context.app(options.app)` for `--app`, `context.config()` for configuration alone. It calls the
 *   module services the admin API calls, never repositories or SQL of its own;
 * - it prints its result once, with `context.emit(data, () => textLines)`: one JSON document on
 *   stdout with the global `--json`, text otherwise; remarks and progress go to stderr
 *   (`context.note`), a progress bar only when `context.io.stderrIsTty`;
 * - what the admin API records in the audit trail is recorded the same way: wrap the service call in
 *   `context.audited(appId, { method, route, url, targetIds }, work, created?)` naming the equivalent
 *   API request (`targetIds`: its path parameters; `created`: ids known once done, as a route's
 *   `auditTargets`); keys and other records a command creates name `CLI_ACTOR` as their creator;
 * - a command that must not migrate or open everything (like `doctor`) reads `context.env` itself;
 * - tests run the program in-process with a `CliContext` of their own (test/helpers/cli.ts).
 * - failures are thrown: `AppError` (not found, refused…) exits 1, `UsageError` (a bad value) and
 *   commander's own errors exit 2; a command that printed its result but partly failed sets
 *   `context.exitCode = EXIT.failed`. Whole-number options parse with `wholeNumber`.
 */
import { readFileSync, realpathSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Command, CommanderError } from 'commander';
import { registerAppsCommands } from './apps-commands.js';
import { registerDataCommands } from './data-commands.js';
import { CliContext } from './context.js';
import { registerDoctorCommands } from './doctor-commands.js';
import { registerKeysCommands } from './keys-commands.js';
import { registerMigrateCommands } from './migrate-commands.js';
import { registerOperatorsCommands } from './operators-commands.js';
import { EXIT, failureOf, processIo } from './output.js';
import { registerRoomsCommands } from './rooms-commands.js';
import { registerTokensCommands } from './tokens-commands.js';
import { registerUsersCommands } from './users-commands.js';

/** From src/cli and from dist/cli alike. */
const PACKAGE_JSON = fileURLToPath(new URL('../../package.json', import.meta.url));

const ABOUT =
  'Works on the database directly (DATABASE_URL), also while the server is down. With REDIS_URL set, ' +
  'running servers drop revoked or changed keys and tokens at once; otherwise within 10 seconds.';

const EXIT_CODES = `
Output:
  Text for people by default; with --json every command prints one JSON document on stdout.
  Errors and remarks go to stderr (with --json, the error as {"error":{"code","message"}}).

Exit codes:
  0  done
  1  the operation failed (not found, refused, unreachable database, rows that did not import,
     a failed doctor check)
  2  usage error (unknown command or option, a bad value, invalid configuration)`;

export function buildProgram(context: CliContext): Command {
  const program = new Command('parley')
    .description(`Parley's administration command line.\n\n${ABOUT}`)
    .version(packageVersion(), '-V, --version', 'print the version')
    .option('--json', 'print the result as one JSON document on stdout')
    .helpOption('-h, --help', 'show help (also: parley <command> --help)')
    .showSuggestionAfterError()
    .addHelpText('after', EXIT_CODES)
    .configureOutput({
      writeOut: (text) => context.io.stdout(text),
      writeErr: (text) => context.io.stderr(text),
      outputError: (text, write) => write(text.startsWith('error:') ? `parley: ${text}` : text),
    })
    .hook('preAction', () => {
      context.json = program.opts<{ json?: boolean }>().json === true;
    });
  program.exitOverride();

  registerAppsCommands(program, context);
  registerKeysCommands(program, context);
  registerUsersCommands(program, context);
  registerTokensCommands(program, context);
  registerRoomsCommands(program, context);
  registerOperatorsCommands(program, context);
  registerDataCommands(program, context);
  registerMigrateCommands(program, context);
  registerDoctorCommands(program, context);

  // Every command and group refuses what it does not know (usage, exit 2) and reports through the context.
  const all = (command: Command): Command[] => [command, ...command.commands.flatMap(all)];
  for (const command of all(program)) {
    command.exitOverride();
    command.configureOutput(program.configureOutput());
    if (command.commands.length > 0) command.showHelpAfterError('(see parley --help)');
  }
  return program;
}

/**
 * Runs one command line (`argv` as in process.argv) and answers its exit code; never exits the process.
 * Tests pass a context of their own (its output captured, its environment given).
 */
export async function runCli(argv: string[], context = new CliContext(processIo(), process.env)): Promise<number> {
  const { io } = context;
  const program = buildProgram(context);
  try {
    await program.parseAsync(argv);
    return context.exitCode;
  } catch (error) {
    if (error instanceof CommanderError) return commanderExit(error);
    const failure = failureOf(error);
    if (context.json)
      io.stderr(`${JSON.stringify({ error: { code: failure.errorCode, message: failure.message } })}\n`);
    else io.stderr(`parley: ${failure.message}\n`);
    return failure.code;
  } finally {
    await context.close();
  }
}

/** Help and the version asked for (exit code 0 in commander) are success; every other commander error is a usage error. */
function commanderExit(error: CommanderError): number {
  return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
}

function packageVersion(): string {
  return (JSON.parse(readFileSync(PACKAGE_JSON, 'utf8')) as { version: string }).version;
}

const ranDirectly = process.argv[1] !== undefined && realpathSync(process.argv[1]) === fileURLToPath(import.meta.url);
if (ranDirectly) runCli(process.argv).then((code) => process.exit(code));
