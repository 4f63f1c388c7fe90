import type { Transaction } from 'kysely';
import type { Storage } from './database.js';
import type { Database } from './schema/tables.js';

/** The database handle a repository call runs on: the pool, or an open transaction. */
export type Db = Storage['db'] | Transaction<Database>;
