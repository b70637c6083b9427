import { sql } from 'drizzle-orm'
import { integer, pgTable, serial, text } from 'drizzle-orm/pg-core'

/** The table the adapter tests read and write; its RLS policies are in {@link notesSetupSql}. */
export const notes = pgTable('notes', {
  id: serial().primaryKey(),
  owner: text().notNull().default(sql`auth.user_id()`),
  body: text().notNull(),
  orgId: integer('org_id'),
})

/** Creates `notes` with owner-only policies, once the helpers are installed. */
export const notesSetupSql = `
  create table notes (
    id serial primary key,
    owner text not null default auth.user_id(),
    body text not null,
    org_id integer
  );
  alter table notes enable row level security;
  grant select, insert, update, delete on notes to authenticated;
  grant select on notes to anon; -- no policy for anon: RLS shows it no rows
  grant usage on sequence notes_id_seq to authenticated;
  create policy own_notes on notes to authenticated
    using (owner = (select auth.user_id())) with check (owner = (select auth.user_id()));
`
