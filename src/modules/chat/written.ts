/** A row this transaction just wrote or holds locked: always there, so its absence is a bug, never a 404. */
export function written<T>(row: T | undefined): T {
  if (row === undefined) throw new Error('A row written in this transaction is missing');
  return row;
}
