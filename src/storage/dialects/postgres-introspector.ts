import {
  PostgresDialect,
  sql,
  type DatabaseIntrospector,
  type DatabaseMetadata,
  type QueryExecutorProvider,
  type SchemaMetadata,
  type TableMetadata,
} from 'kysely';

/**
 * Kysely's own PostgreSQL introspector reads every schema's columns (its migrator uses it to see
 * whether its bookkeeping tables exist); a schema dropped by another process meanwhile makes that
 * query fail. Parley's tables live in the connection's `current_schema()`, so only that is read.
 */
class CurrentSchemaIntrospector implements DatabaseIntrospector {
  constructor(private readonly db: QueryExecutorProvider) {}

  async getSchemas(): Promise<SchemaMetadata[]> {
    const { rows } = await sql<{ name: string }>`select current_schema() as name`.execute(this.db);
    return rows.map(({ name }) => ({ name }));
  }

  async getTables(): Promise<TableMetadata[]> {
    const { rows } = await sql<{ name: string; schema: string; type: string }>`
      select table_name as name, table_schema as schema, table_type as type
      from information_schema.tables where table_schema = current_schema()`.execute(this.db);
    return rows.map((row) => ({ name: row.name, schema: row.schema, isView: row.type === 'VIEW', columns: [] }));
  }

  async getMetadata(): Promise<DatabaseMetadata> {
    return { tables: await this.getTables() };
  }
}

export class CurrentSchemaPostgresDialect extends PostgresDialect {
  /** Takes any Kysely instance: the introspector only runs raw queries through it. */
  override createIntrospector(db: QueryExecutorProvider): DatabaseIntrospector {
    return new CurrentSchemaIntrospector(db);
  }
}
