import { installHelpers } from '@pg-claims/core'
import { claimSql } from '@pg-claims/kysely'
import { type Generated, Kysely, PostgresDialect, sql } from 'kysely'
import pg from 'pg'

/** The tables of the example, as Kysely sees them. */
export interface Database {
  projects: { id: Generated<number>; org_id: number; owner: Generated<string>; name: string }
}

/** The claims the example's policies and queries read, with their SQL types. */
export const auth = claimSql({ org_id: 'integer' })

/**
 * The SQL helpers, and a `projects` table that members of an organisation (claim `org_id`) share:
 * the policy is written with the same typed accessor the queries use.
 */
export async function createSchema(adminUrl: string): Promise<void> {
  const admin = new Kysely<Database>({
    dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: adminUrl, max: 1 }) }),
  })
  try {
    await installHelpers({ query: (text: string) => sql.raw(text).execute(admin) })
    await sql`
      drop table if exists projects;
      create table projects (
        id serial primary key,
        org_id int not null,
        owner text not null default auth.user_id(),
        name text not null
      );
      alter table projects enable row level security;
      grant select, insert on projects to authenticated;
      grant select on projects to anon; -- no policy for anon: RLS shows it no rows
      grant usage on sequence projects_id_seq to authenticated;
      create policy same_organisation on projects to authenticated
        using (org_id = ${auth.claim('org_id')})
        with check (org_id = ${auth.claim('org_id')} and owner = ${auth.userId()});
    `.execute(admin)
  } finally {
    await admin.destroy()
  }
}
