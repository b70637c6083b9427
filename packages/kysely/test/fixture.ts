import { createClaims, installHelpers } from '@pg-claims/core'
import { ClaimsKysely } from '@pg-claims/kysely'
import { createTestDatabase, signToken, TEST_SECRET, type TestDatabase } from '@pg-claims/testing'
import type { Generated } from 'kysely'
import pg from 'pg'

/** The tables the adapter tests use. */
export interface Database {
  notes: { id: Generated<number>; owner: Generated<string>; org_id: Generated<number | null>; body: string }
}

/** The claims configuration of the adapter tests: HS256 with TEST_SECRET, anon by default. */
export const testClaims = () =>
  createClaims({
    secret: TEST_SECRET,
    roles: { default: 'anon', allowed: ['anon', 'authenticated', 'kysely_missing_role', 'kysely_ungranted'] },
  })

/** A token for `sub` as `authenticated`, with `extra` claims. */
export const tokenFor = (sub: string, extra: Record<string, unknown> = {}) =>
  signToken({ sub, role: 'authenticated', ...extra })

/** A database with the SQL helpers and a `notes` table that each user sees only their own rows of. */
export function notesDatabase(): Promise<TestDatabase> {
  return createTestDatabase({
    setup: async (admin) => {
      await installHelpers(admin)
      await admin.query(`
        do $$ begin create role kysely_ungranted nologin; -- exists, but not granted to authenticator
        exception when duplicate_object or unique_violation then null; end $$;
        create table notes (
          id serial primary key,
          owner text not null default auth.user_id(),
          org_id int default auth.claim('org_id')::int,
          body text not null
        );
        alter table notes enable row level security;
        grant select, insert, update on notes to authenticated;
        grant usage on sequence notes_id_seq to authenticated;
        create policy own_notes on notes to authenticated
          using (owner = (select auth.user_id())) with check (owner = (select auth.user_id()));
      `)
    },
  })
}

/** A ClaimsKysely on `url` with a pool of `max` connections, counting how often the pool lends one. */
export function claimsDb(url: string, max = 1) {
  const pool = new pg.Pool({ connectionString: url, max })
  let acquired = 0
  pool.on('acquire', () => {
    acquired += 1
  })
  return { db: new ClaimsKysely<Database>({ pool, claims: testClaims() }), acquired: () => acquired }
}
