import { AppError } from '../core/errors.js';

/** How deeply JSON input may nest: far beyond any real payload, far below any recursion limit. */
export const MAX_INPUT_DEPTH = 64;

export type InputProblem = 'nul' | 'depth';

/**
 * Finds what no handler should ever see, without recursion: a NUL character in any string or key
 * (PostgreSQL's text and jsonb refuse it, SQLite's C strings cut at it), or nesting deeper than
 * `maxDepth` (recursive code further on would overflow the stack).
 */
export function findInputProblem(value: unknown, maxDepth = MAX_INPUT_DEPTH): InputProblem | undefined {
  if (typeof value === 'string') return value.includes('\0') ? 'nul' : undefined;
  if (typeof value !== 'object' || value === null) return undefined;
  const pending: Array<{ value: object; depth: number }> = [{ value, depth: 1 }];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    const { value: container, depth } = next;
    if (depth > maxDepth) return 'depth';
    const isArray = Array.isArray(container);
    for (const key of isArray ? [] : Object.keys(container)) if (key.includes('\0')) return 'nul';
    for (const child of isArray ? container : Object.values(container)) {
      if (typeof child === 'string') {
        if (child.includes('\0')) return 'nul';
      } else if (typeof child === 'object' && child !== null) {
        pending.push({ value: child, depth: depth + 1 });
      }
    }
  }
  return undefined;
}

/** The 400 for a problem found in `where` (`body`, `querystring`, `params`, `Event data`…). */
export function inputProblemError(problem: InputProblem, where: string): AppError {
  return problem === 'nul'
    ? new AppError('INVALID_REQUEST', `${where} must not contain NUL characters (\\u0000)`)
    : new AppError('INVALID_REQUEST', `${where} is nested too deeply (at most ${MAX_INPUT_DEPTH} levels)`);
}

/** Refuses hostile input with a 400 naming where it was. */
export function assertSafeInput(value: unknown, where: string): void {
  const problem = findInputProblem(value);
  if (problem !== undefined) throw inputProblemError(problem, where);
}
