import { AppError } from '../core/errors.js';

/** Everything on standard input, without the final line break (`--password-stdin`). */
export async function passwordFromStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
}

/** Asks on the terminal without echoing what is typed. */
function askHidden(question: string): Promise<string> {
  const input = process.stdin;
  process.stderr.write(question);
  input.setRawMode(true);
  input.resume();
  input.setEncoding('utf8');
  return new Promise((resolve, reject) => {
    let typed = '';
    const done = (error?: Error) => {
      input.setRawMode(false);
      input.pause();
      input.off('data', onData);
      process.stderr.write('\n');
      if (error) reject(error);
      else resolve(typed);
    };
    const onData = (text: string) => {
      for (const character of text) {
        if (character === '\r' || character === '\n') return done();
        if (character === '\u0003') return done(new AppError('INVALID_REQUEST', 'cancelled'));
        if (character === '\u007f' || character === '\b') typed = typed.slice(0, -1);
        else typed += character;
      }
    };
    input.on('data', onData);
  });
}

/** The new password: from standard input with `--password-stdin`, else asked twice on the terminal. */
export async function newPassword(fromStdin: boolean): Promise<string> {
  if (fromStdin) return passwordFromStdin();
  if (!process.stdin.isTTY)
    throw new AppError('INVALID_REQUEST', 'no terminal to ask the password on; pass it with --password-stdin');
  const first = await askHidden('Password (12 characters or more): ');
  const again = await askHidden('Password again: ');
  if (first !== again) throw new AppError('INVALID_REQUEST', 'the two passwords differ');
  return first;
}
