import { installHelpers, type SqlRunner } from '@pg-claims/core'

/**
 * The notes table: owned by `auth.user_id()`, readable and writable only by its owner under RLS;
 * `anon` may select (and sees no row, having no policy) but not insert.
 *
 * @example
 * ```ts
 * await admin.query(NOTES_SCHEMA_SQL)
 * ```
 */
export const NOTES_SCHEMA_SQL = `
  drop table if exists notes;
  create table notes (
    id serial primary key,
    owner text not null default auth.user_id(),
    body text not null check (length(body) between 1 and 1000)
  );
  alter table notes enable row level security;
  grant select, insert on notes to authenticated;
  grant select on notes to anon; -- no policy for anon: RLS shows it no rows
  grant usage on sequence notes_id_seq to authenticated;
  create policy notes_are_private on notes to authenticated
    using (owner = (select auth.user_id()))
    with check (owner = (select auth.user_id()));
`

/**
 * Installs the pg-claims SQL helpers and the notes table, connected as a role that may create them.
 *
 * @example
 * ```ts
 * const admin = new pg.Client({ connectionString: adminUrl })
 * await admin.connect()
 * await createSchema(admin)
 * ```
 */
export async function createSchema(admin: SqlRunner): Promise<void> {
  await installHelpers(admin)
  await admin.query(NOTES_SCHEMA_SQL)
}
