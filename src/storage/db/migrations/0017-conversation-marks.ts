import type { Kysely } from 'kysely';

/**
 * How far a member has read each direct conversation (a thread of direct posts), and up to which post
 * they removed it from their list (a newer post brings it back). The conversations themselves are read
 * from the posts.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema
    .createTable('conversation_marks')
    .addColumn('account_id', 'text', (c) => c.notNull().references('accounts.id').onDelete('cascade'))
    .addColumn('thread_id', 'text', (c) => c.notNull())
    .addColumn('read_up_to', 'text')
    .addColumn('removed_up_to', 'text')
    .addPrimaryKeyConstraint('conversation_marks_pk', ['account_id', 'thread_id'])
    .execute();
}
