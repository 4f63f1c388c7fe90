import type BetterSqlite3 from 'better-sqlite3';
import {
  type CompiledQuery,
  SelectQueryNode,
  SqliteAdapter,
  SqliteIntrospector,
  SqliteQueryCompiler,
  type DatabaseConnection,
  type Dialect,
  type Driver,
  type Kysely,
  type QueryResult,
  type SqliteDatabase,
} from 'kysely';

/**
 * SQLite with group commit. A commit costs far more than the statements of a small transaction
 * (it writes the WAL pages the transaction dirtied), and every write goes through the one
 * connection anyway. So a transaction does not commit alone: it runs inside a savepoint of a
 * shared transaction, and the shared transaction commits once the event loop has let every
 * request already waiting join it (`setImmediate`). Each caller's `commit` resolves only after
 * that commit, so nothing is acknowledged before it is durable; a caller's rollback undoes its
 * own savepoint and no one else's.
 *
 * A statement outside any transaction joins an open group too: a write then also resolves after
 * the commit. A read answers at once; it may see writes of the open group, which are lost only if
 * the commit itself fails (an I/O error, which fails every writer of the group).
 */
export function groupCommitSqliteDialect(database: BetterSqlite3.Database, statements: SqliteDatabase): Dialect {
  return {
    createAdapter: () => new SqliteAdapter(),
    createDriver: () => new GroupCommitDriver(database, statements),
    createIntrospector: (db: Kysely<unknown>) => new SqliteIntrospector(db),
    createQueryCompiler: () => new SqliteQueryCompiler(),
  };
}

/** One shared transaction: its commit settles every caller that wrote in it. */
class CommitGroup {
  readonly committed: Promise<void>;
  settle!: (error?: unknown) => void;

  constructor() {
    this.committed = new Promise<void>((resolve, reject) => {
      this.settle = (error) => (error === undefined ? resolve() : reject(error));
    });
    // A group nobody waits on (reads only) must not report an unhandled rejection.
    this.committed.catch(() => undefined);
  }
}

class GroupConnection implements DatabaseConnection {
  /** The savepoint of this caller's transaction, while it is open. */
  savepoint: string | undefined;
  /** A write ran outside a transaction while a group was open: released once that group commits. */
  wroteInto: CommitGroup | undefined;
  released = false;

  constructor(private readonly driver: GroupCommitDriver) {}

  async executeQuery<R>(compiledQuery: CompiledQuery): Promise<QueryResult<R>> {
    return this.driver.run<R>(this, compiledQuery);
  }

  async *streamQuery<R>(compiledQuery: CompiledQuery): AsyncIterableIterator<QueryResult<R>> {
    if (!SelectQueryNode.is(compiledQuery.query)) throw new Error('SQLite streams select queries only');
    const statement = this.driver.prepare(compiledQuery.sql);
    for (const row of statement.iterate(compiledQuery.parameters as unknown[])) yield { rows: [row as R] };
  }
}

class GroupCommitDriver implements Driver {
  private readonly lock = new Mutex();
  private group: CommitGroup | undefined;
  private savepoints = 0;

  constructor(
    private readonly database: BetterSqlite3.Database,
    private readonly statements: SqliteDatabase,
  ) {}

  async init(): Promise<void> {}

  async acquireConnection(): Promise<DatabaseConnection> {
    await this.lock.acquire();
    return new GroupConnection(this);
  }

  prepare(sql: string): BetterSqlite3.Statement {
    return this.statements.prepare(sql) as BetterSqlite3.Statement;
  }

  run<R>(connection: GroupConnection, { sql, parameters }: CompiledQuery): QueryResult<R> {
    const statement = this.prepare(sql);
    if (statement.reader) return { rows: statement.all(parameters as unknown[]) as R[] };
    if (connection.savepoint === undefined && this.group) connection.wroteInto = this.group;
    const { changes, lastInsertRowid } = statement.run(parameters as unknown[]);
    return { numAffectedRows: BigInt(changes), insertId: BigInt(lastInsertRowid), rows: [] };
  }

  async beginTransaction(connection: DatabaseConnection): Promise<void> {
    const caller = connection as GroupConnection;
    if (!this.group) {
      this.database.exec('begin');
      this.group = new CommitGroup();
      setImmediate(() => void this.commitGroup());
    }
    caller.savepoint = `parley_tx_${++this.savepoints}`;
    this.database.exec(`savepoint ${caller.savepoint}`);
  }

  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    const caller = connection as GroupConnection;
    const group = this.group as CommitGroup;
    this.database.exec(`release ${caller.savepoint}`);
    caller.savepoint = undefined;
    // Others may run (and join the group) while this caller waits for the group's commit.
    this.release(caller);
    await group.committed;
  }

  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    const caller = connection as GroupConnection;
    const savepoint = caller.savepoint;
    if (savepoint === undefined) return; // its group's commit failed: already rolled back
    caller.savepoint = undefined;
    if (this.database.inTransaction) {
      this.database.exec(`rollback to ${savepoint}`);
      this.database.exec(`release ${savepoint}`);
      return;
    }
    // SQLite rolled the whole shared transaction back (a disk full, an I/O error): it failed for all.
    this.failGroup(new Error('SQLite rolled back the shared transaction'));
  }

  // A savepoint inside a caller's transaction (Kysely's `tx.savepoint(name)`).
  async savepoint(_connection: DatabaseConnection, name: string): Promise<void> {
    this.database.exec(`savepoint ${quoted(name)}`);
  }

  async rollbackToSavepoint(_connection: DatabaseConnection, name: string): Promise<void> {
    this.database.exec(`rollback to ${quoted(name)}`);
  }

  async releaseSavepoint(_connection: DatabaseConnection, name: string): Promise<void> {
    this.database.exec(`release ${quoted(name)}`);
  }

  async releaseConnection(connection: DatabaseConnection): Promise<void> {
    const caller = connection as GroupConnection;
    if (caller.released) return;
    this.release(caller);
    if (caller.wroteInto) await caller.wroteInto.committed;
  }

  async destroy(): Promise<void> {
    await this.commitGroup();
    this.database.close();
  }

  private release(caller: GroupConnection): void {
    caller.released = true;
    this.lock.release();
  }

  private async commitGroup(): Promise<void> {
    await this.lock.acquire();
    try {
      const group = this.group;
      if (!group) return;
      this.group = undefined;
      try {
        this.database.exec('commit');
        group.settle();
      } catch (error) {
        if (this.database.inTransaction) this.database.exec('rollback');
        group.settle(error);
      }
    } finally {
      this.lock.release();
    }
  }

  private failGroup(error: Error): void {
    const group = this.group;
    this.group = undefined;
    group?.settle(error);
  }
}

const quoted = (name: string) => `"${name.replaceAll('"', '""')}"`;

/** First come, first served; `acquire` resolves once every earlier holder has released. */
class Mutex {
  private tail: Promise<void> = Promise.resolve();
  private releaseHolder: (() => void) | undefined;

  async acquire(): Promise<void> {
    const previous = this.tail;
    let release!: () => void;
    this.tail = new Promise<void>((resolve) => (release = resolve));
    await previous;
    this.releaseHolder = release;
  }

  release(): void {
    const release = this.releaseHolder;
    this.releaseHolder = undefined;
    release?.();
  }
}
