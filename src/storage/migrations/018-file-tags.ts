import type { Kysely } from 'kysely';

// Frozen once released: later changes go into new migrations.
export async function up(db: Kysely<any>): Promise<void> {
  // The tags of the room an upload was shared in, as they were at upload ([hist] 9.5: files counted
  // and sized per room tag), one row per tag. A file's size and upload time never change: copied
  // here, the statistics read this table alone. Gone with their file. Files uploaded before this
  // migration have none: the tags their room had then are not known.
  await db.schema
    .createTable('file_tags')
    .addColumn('app_id', 'text', (c) => c.notNull())
    .addColumn('file_id', 'text', (c) => c.notNull())
    .addColumn('tag', 'text', (c) => c.notNull())
    .addColumn('room_id', 'text', (c) => c.notNull())
    .addColumn('size', 'bigint', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addPrimaryKeyConstraint('file_tags_pk', ['app_id', 'file_id', 'tag'])
    .addForeignKeyConstraint('file_tags_file', ['app_id', 'file_id'], 'files', ['app_id', 'id'], (fk) =>
      fk.onDelete('cascade'),
    )
    .execute();
  await db.schema.createIndex('file_tags_tag').on('file_tags').columns(['app_id', 'tag', 'created_at']).execute();
}
