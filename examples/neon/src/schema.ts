import { installHelpers } from '@pg-claims/core'
import type { Generated } from 'kysely'
import pg from 'pg'

/** The tables of the example, as Kysely sees them. */
export interface Database {
  notes: { id: Generated<number>; owner: Generated<string>; body: string }
}

/** The SQL helpers, and `notes` that only their owner (`auth.user_id()`, the token's `sub`) sees. */
export async function createSchema(adminUrl: string): Promise<void> {
  const admin = new pg.Client({ connectionString: adminUrl })
  await admin.connect()
  try {
    await installHelpers(admin)
    await admin.query(`
      drop table if exists notes;
      create table notes (
        id serial primary key,
        owner text not null default auth.user_id(),
        body text not null
      );
      create index on notes (owner);
      alter table notes enable row level security;
      grant select, insert on notes to authenticated;
      grant usage on sequence notes_id_seq to authenticated;
      create policy own_notes on notes to authenticated
        using (owner = (select auth.user_id()))
        with check (owner = (select auth.user_id()));
    `)
  } finally {
    await admin.end()
  }
}
