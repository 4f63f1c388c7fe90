import type { Expression, Kysely, RawBuilder, SqlBool } from 'kysely';
import type { Database } from '../schema/tables.js';

export type DialectName = 'sqlite' | 'postgres';

/** JSON value types as Mongo's `$type` names them. */
export type JsonTypeName = 'string' | 'number' | 'bool' | 'object' | 'array' | 'null';

/** The few places where SQLite and PostgreSQL really differ. Nothing else outside storage/ writes SQL. */
export interface DialectHelpers {
  readonly name: DialectName;
  /** True for a unique or primary-key violation, recognised by error code, never by message. */
  isUniqueViolation(error: unknown): boolean;
  /** A field of a JSON-text column, as text (strings) or null. */
  jsonText(column: string, field: string): RawBuilder<string | null>;
  /** A field of a JSON-text column, as a number when it holds one, else null. */
  jsonNumber(column: string, field: string): RawBuilder<number | null>;
  /** A field of a JSON-text column, as true/false when it holds a boolean, else null. */
  jsonBool(column: string, field: string): RawBuilder<number | null>;
  /** The Mongo `$type` name of a field of a JSON-text column; null when the field is absent. */
  jsonType(column: string, field: string): RawBuilder<JsonTypeName | null>;
  /** True when a JSON-text column holding an array of strings contains `value` exactly. */
  jsonArrayContains(column: string, value: string): RawBuilder<SqlBool>;
  /**
   * `column IN (values)` for a list of any length: a long list goes as one parameter (a JSON array
   * on SQLite, a text[] on PostgreSQL), so that no statement exceeds the driver's parameter limit.
   */
  inList(column: string, values: readonly string[]): RawBuilder<SqlBool>;
  /** Regular-expression match of a pattern already checked by `compileSafeRegex`. */
  regexMatch(value: Expression<unknown>, pattern: string, caseInsensitive: boolean): RawBuilder<SqlBool>;
  /**
   * The newest messages of `roomIds` whose search text contains `keyword`, case-insensitively,
   * found through the text index (FTS5 trigram on SQLite, pg_trgm on PostgreSQL).
   */
  searchMessages(db: Kysely<Database>, query: MessageSearch): Promise<MessageHit[]>;
  /**
   * The statements `searchMessages` runs (see `runSearch`) for a keyword of three characters or more
   * (for query-plan checks and the benchmark's baseline).
   */
  searchStatements(query: MessageSearch): SearchStatements;
}

/**
 * A search through the text index in steps (see `runSearch`), each bounded by something other than
 * the rooms the caller is not in: the newest messages, the keyword's matches when they are few, and
 * the caller's rooms.
 */
export interface SearchStatements {
  /** Hits among the newest RECENT_SEARCH_WINDOW messages, newest first: the answer when they fill the page. */
  recent: RawBuilder<MessageHit>;
  /** When `count` (the keyword's matches in every room, counted up to `few` + 1) is at most `few`: `all` walks them. */
  fewMatches?: { count: RawBuilder<{ matches: number }>; few: number; all: RawBuilder<MessageHit> };
  /** Otherwise: every hit of the caller's rooms, newest first, in one statement per group of rooms. */
  complete: RawBuilder<MessageHit>[];
}

export interface MessageSearch {
  appId: string;
  roomIds: readonly string[];
  keyword: string;
  limit: number;
  /** Only messages of these types (file searches); absent: every type. */
  messageTypes?: readonly string[];
}

export interface MessageHit {
  id: string;
  roomId: string;
  seq: number;
}

/** Lists up to this long are inlined as parameters (the plans tests know); longer ones go as one. */
export const INLINE_LIST_MAX = 500;

/**
 * Rows per multi-row statement so that rows × columns stays far below the parameter limits
 * (SQLite 32 766, PostgreSQL 65 535).
 */
export const rowsPerStatement = (columns: number): number => Math.max(1, Math.floor(30_000 / columns));

/** Rows of a multi-row insert, split so that no statement exceeds a driver's parameter limit. */
export function* inStatements<T extends object>(rows: readonly T[]): Generator<T[]> {
  const first = rows[0];
  if (first === undefined) return;
  const size = rowsPerStatement(Object.keys(first).length);
  for (let start = 0; start < rows.length; start += size) yield rows.slice(start, start + size);
}

/** Trigram indexes need three characters. */
export const TRIGRAM = 3;

/**
 * How many of the newest messages (by seq, in all rooms) the first step of a search reads: a word
 * common in the caller's rooms fills the page there, at a cost that does not grow with the table.
 */
export const RECENT_SEARCH_WINDOW = 10_000;

/**
 * A keyword shorter than a trigram cannot use the text index: it is matched against the newest
 * messages of the caller's rooms only, so that its cost stays bounded however large the table grows.
 */
export const SHORT_KEYWORD_WINDOW = 20_000;
