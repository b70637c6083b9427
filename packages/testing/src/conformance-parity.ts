import { createClaims, installHelpers, isPgClaimsError, type SkippedRoleSettingReason } from '@pg-claims/core'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { AdapterUnderTest, ConformanceTarget } from './conformance.js'
import { createTestDatabase, type TestDatabase } from './database.js'
import { signToken, TEST_SECRET } from './tokens.js'

/**
 * A Supabase-style setup, as a project moving from PostgREST brings it: per-role statement
 * timeouts (`ALTER ROLE … SET`), a pre-request function that blocks a header, and a policy
 * reading `request.headers`.
 */
const SUPABASE_STYLE_SETUP = `
  do $$ begin
    execute format('alter role anon in database %I set statement_timeout = %L', current_database(), '3s');
    execute format('alter role authenticated in database %I set statement_timeout = %L', current_database(), '8s');
    execute format('alter role authenticated in database %I set log_statement = %L', current_database(), 'none');
  end $$;
  create function public.check_request() returns void language plpgsql as $f$
  begin
    if current_setting('request.headers', true)::json ->> 'x-blocked' is not null then
      raise sqlstate 'PT403' using message = 'blocked by the pre-request function';
    end if;
  end $f$;
  create table parity_posts (id serial primary key, tenant text not null, body text not null);
  alter table parity_posts enable row level security;
  grant select, insert on parity_posts to anon, authenticated;
  grant usage on sequence parity_posts_id_seq to anon, authenticated;
  create policy by_tenant_header on parity_posts
    using (tenant = current_setting('request.headers', true)::json ->> 'x-tenant')
    with check (tenant = current_setting('request.headers', true)::json ->> 'x-tenant');
  insert into parity_posts (tenant, body) values ('acme', 'a1'), ('globex', 'g1');
`

/**
 * A way to the database other than connecting straight to it (PgBouncer, say).
 *
 * @example
 * ```ts
 * const viaBouncer: ParityRoute = { name: 'PgBouncer', open: (url) => startPgBouncer(binary, url, 2) }
 * ```
 */
export interface ParityRoute {
  readonly name: string
  /** Starts the route to the database at `url`; `url` of the result connects through it. */
  open(url: string): Promise<{ readonly url: string; stop(): Promise<void> }>
}

/**
 * Registers the PostgREST-parity part of the conformance suite for one adapter on one kind of
 * pool: per-role settings, the request context, built-in settings per call and the pre-request
 * function, through the adapter's own `withClaims(token, call)`; through `route` when given.
 *
 * @example
 * ```ts
 * describeParity(kyselyTarget, true, viaBouncer)
 * ```
 */
export function describeParity(target: ConformanceTarget, pipeline: boolean, route?: ParityRoute): void {
  const title = `conformance: ${target.name}, ${pipeline ? 'pipelined pool' : 'pool'}, PostgREST parity`
  describe(route === undefined ? title : `${title}, through ${route.name}`, () => {
    let database: TestDatabase
    let routed: { readonly url: string; stop(): Promise<void> } | undefined
    let source: pg.Pool
    let adapter: AdapterUnderTest
    const skipped: Array<[string, string, SkippedRoleSettingReason]> = []

    beforeAll(async () => {
      database = await createTestDatabase({
        setup: async (admin) => {
          await installHelpers(admin)
          await admin.query(SUPABASE_STYLE_SETUP)
        },
      })
      routed = await route?.open(database.url)
      const url = routed?.url ?? database.url
      source = new pg.Pool({ connectionString: url, max: 1 })
      const claims = createClaims({
        secret: TEST_SECRET,
        roles: { default: 'anon', allowed: ['anon', 'authenticated'] },
        preRequest: 'public.check_request',
        roleSettings: { source, onSkipped: (...report) => skipped.push(report) },
      })
      adapter = await target.create({ url, claims, poolSize: 1, pipeline })
    })

    afterAll(async () => {
      await adapter?.close()
      await source?.end()
      await routed?.stop()
      await database?.drop()
    })

    const alice = () => signToken({ sub: 'alice', role: 'authenticated' })
    const acme = { method: 'GET', path: '/posts', headers: { 'X-Tenant': 'acme', 'x-app': 'web' } }
    const settingsSql = `select current_user::text as role, current_setting('statement_timeout') as timeout,
      current_setting('request.method') as method, current_setting('request.path') as path,
      current_setting('request.headers')::jsonb as headers, auth.role() as claimed_role`

    it('applies the role settings, the request context and the pre-request function', async () => {
      expect(await adapter.withClaims(await alice(), { request: acme }).query(settingsSql)).toEqual([
        {
          role: 'authenticated',
          timeout: '8s',
          method: 'GET',
          path: '/posts',
          headers: { 'x-tenant': 'acme', 'x-app': 'web' },
          claimed_role: 'authenticated',
        },
      ])
      const anonymous = await adapter
        .withClaims(null, { request: acme })
        .transaction((run) => run(settingsSql))
      expect(anonymous).toMatchObject([{ role: 'anon', timeout: '3s', claimed_role: 'anon' }])
      expect(skipped).toEqual([['authenticated', 'log_statement', 'not-user-settable']])
    })

    it('lets a call set a built-in setting over the role’s, and leaves the connection as it was', async () => {
      const call = { request: acme, settings: { statement_timeout: '1500ms', application_name: 'parity' } }
      expect(
        await adapter
          .withClaims(await alice(), call)
          .query(
            `select current_setting('statement_timeout') as timeout, current_setting('application_name') as app`,
          ),
      ).toEqual([{ timeout: '1500ms', app: 'parity' }])
      expect(
        await adapter.plainQuery(
          `select current_user::text as role, current_setting('statement_timeout') as timeout, current_setting('request.headers', true) as headers`,
        ),
      ).toEqual([{ role: 'authenticator', timeout: '0', headers: '' }])
      const refused = await adapter
        .withClaims(await alice(), { settings: { work_mem: '1GB' } })
        .query('select 1')
        .catch((error: unknown) => error)
      expect(isPgClaimsError(refused, 'SETTING_INVALID')).toBe(true)
    })

    it('runs a policy reading request.headers unchanged', async () => {
      const read = (tenant: string) =>
        adapter
          .withClaims(null, { request: { headers: { 'x-tenant': tenant } } })
          .query('select body from parity_posts order by id')
      expect(await read('acme')).toEqual([{ body: 'a1' }])
      expect(await read('globex')).toEqual([{ body: 'g1' }])
    })

    it('fails closed with PRE_REQUEST_FAILED (SQLSTATE PT403, status 403) when the pre-request function raises', async () => {
      const blocked = { request: { headers: { 'x-tenant': 'acme', 'x-blocked': '1' } } }
      const inTransaction = await adapter
        .withClaims(await alice(), blocked)
        .transaction((run) => run(`insert into parity_posts (tenant, body) values ('acme', 'never')`))
        .catch((error: unknown) => error)
      const direct = await adapter
        .withClaims(null, blocked)
        .query(`insert into parity_posts (tenant, body) values ('acme', 'never')`)
        .catch((error: unknown) => error)
      for (const error of [inTransaction, direct]) {
        expect(error).toMatchObject({ code: 'PRE_REQUEST_FAILED', status: 403, sqlstate: 'PT403' })
        expect((error as Error).message).toContain('blocked by the pre-request function')
      }
      const acmeReader = adapter.withClaims(null, { request: { headers: { 'x-tenant': 'acme' } } })
      expect(
        await acmeReader.query(`select count(*)::int as n from parity_posts where body = 'never'`),
      ).toEqual([{ n: 0 }])
    })
  })
}
