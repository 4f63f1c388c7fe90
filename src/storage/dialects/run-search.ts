import type { RawBuilder } from 'kysely';
import type { MessageHit, SearchStatements } from './dialect.js';

/**
 * Runs a search's statements with `execute`: the recent one answers when it fills the page (every
 * older message is older than its hits); then the walk of every match when they are few; otherwise
 * the complete ones, their hits merged newest first.
 */
export async function runSearch(
  statements: SearchStatements,
  limit: number,
  execute: <Row>(statement: RawBuilder<Row>) => Promise<Row[]>,
): Promise<MessageHit[]> {
  const recent = await execute(statements.recent);
  if (recent.length >= limit) return recent;
  const { fewMatches, complete } = statements;
  if (fewMatches && ((await execute(fewMatches.count))[0]?.matches ?? 0) <= fewMatches.few)
    return execute(fewMatches.all);
  const hits: MessageHit[] = [];
  for (const statement of complete) hits.push(...(await execute(statement)));
  return complete.length === 1 ? hits : hits.sort((a, b) => b.seq - a.seq).slice(0, limit);
}
