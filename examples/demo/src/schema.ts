import { installHelpers } from '@pg-claims/core'
import pg from 'pg'

/** The SQL helpers, and a table whose RLS policies read the caller's claims through them. */
export async function createSchema(adminUrl: string): Promise<void> {
  const admin = new pg.Client({ connectionString: adminUrl })
  await admin.connect()
  try {
    await installHelpers(admin)
    await admin.query(`
      drop table if exists demo_notes;
      create table demo_notes (
        id serial primary key,
        owner text not null default auth.user_id(),
        body text not null
      );
      create index on demo_notes (owner); -- the policy compares owner on every row
      alter table demo_notes enable row level security;
      grant select, insert on demo_notes to authenticated;
      grant select on demo_notes to anon; -- no policy for anon: RLS shows it no rows
      grant usage on sequence demo_notes_id_seq to authenticated;
      create policy notes_are_private on demo_notes to authenticated
        using (owner = (select auth.user_id()))
        with check (owner = (select auth.user_id()));
    `)
  } finally {
    await admin.end()
  }
}
