/**
 * Why the database refused a user-supplied query, when it says so by error code: PostgreSQL
 * rejecting a regular expression (2201B) or cancelling a statement that ran too long (57014).
 * SQLite raises neither: its patterns are checked before they reach it.
 */
export function queryRefusal(error: unknown): 'invalid-pattern' | 'timeout' | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  if (code === '2201B') return 'invalid-pattern';
  if (code === '57014') return 'timeout';
  return undefined;
}
