import { installHelpers } from '@pg-claims/core'
import pg from 'pg'

/** The SQL helpers, and the schema's two tables with RLS policies reading the caller's claims. */
export async function createSchema(adminUrl: string): Promise<void> {
  const admin = new pg.Client({ connectionString: adminUrl })
  await admin.connect()
  try {
    await installHelpers(admin)
    await admin.query(`
      drop table if exists example_tags, example_notes;
      create table example_notes (
        id serial primary key,
        owner text not null default auth.user_id(),
        body text not null
      );
      create table example_tags (
        id serial primary key,
        owner text not null default auth.user_id(),
        name text not null,
        note_id int not null references example_notes (id)
      );
      alter table example_notes enable row level security;
      alter table example_tags enable row level security;
      grant select, insert, update, delete on example_notes, example_tags to authenticated;
      grant select on example_notes, example_tags to anon; -- no policy for anon: RLS shows it no rows
      grant usage on sequence example_notes_id_seq, example_tags_id_seq to authenticated;
      create policy own_notes on example_notes to authenticated
        using (owner = (select auth.user_id())) with check (owner = (select auth.user_id()));
      create policy own_tags on example_tags to authenticated
        using (owner = (select auth.user_id())) with check (owner = (select auth.user_id()));
    `)
  } finally {
    await admin.end()
  }
}
