import type { AdapterUnderTest } from '@pg-claims/testing'
import { signToken } from '@pg-claims/testing'
import type pg from 'pg'

/** The table every load test reads and writes: one tenant's rows visible only to that tenant. */
export const TENANT_SCHEMA = `
  create table tenant_rows (
    id bigserial primary key,
    tenant text not null default auth.claim('tenant'),
    owner text not null default auth.user_id(),
    note text not null
  );
  alter table tenant_rows enable row level security;
  grant select, insert on tenant_rows to authenticated;
  grant usage on sequence tenant_rows_id_seq to authenticated;
  create policy tenant_only on tenant_rows to authenticated
    using (tenant = (select auth.claim('tenant'))) with check (tenant = (select auth.claim('tenant')));
`

/** What a load run saw. */
export interface LoadResult {
  transactions: number
  writes: Map<string, number>
  leaks: string[]
  failures: string[]
}

/**
 * `users` simulated users (each with its own token; `tenants` tenants) each run `perUser`
 * transactions back to back, spread over `adapters` in turn. Every transaction reads the tenant
 * table and the session; every fourth also writes. Anything another tenant's is a leak.
 */
export async function runTenantLoad(options: {
  adapters: readonly AdapterUnderTest[]
  users: number
  tenants: number
  perUser: number
}): Promise<LoadResult> {
  const result: LoadResult = { transactions: 0, writes: new Map(), leaks: [], failures: [] }
  await Promise.all(
    Array.from({ length: options.users }, async (_, user) => {
      const sub = `user${user}`
      const tenant = `tenant${user % options.tenants}`
      const token = await signToken({ sub, tenant, role: 'authenticated' })
      for (let index = 0; index < options.perUser; index += 1) {
        const adapter = options.adapters[(user + index) % options.adapters.length]!
        const write = index % 4 === 0
        try {
          const seen = await adapter.transaction(token, async (run) => {
            if (write) await run(`insert into tenant_rows (note) values ('${sub}-${index}')`)
            const rows = await run('select tenant, owner from tenant_rows')
            const [session] = await run(
              `select auth.session() ->> 'sub' as sub, auth.claim('tenant') as tenant`,
            )
            return { rows, session }
          })
          result.transactions += 1
          if (write) result.writes.set(tenant, (result.writes.get(tenant) ?? 0) + 1)
          if (seen.session?.sub !== sub || seen.session?.tenant !== tenant) {
            result.leaks.push(`${sub} saw session ${JSON.stringify(seen.session)}`)
          }
          for (const row of seen.rows) {
            if (row.tenant !== tenant)
              result.leaks.push(`${sub} (${tenant}) saw a row of ${String(row.tenant)}`)
          }
        } catch (error) {
          result.failures.push(`${sub} #${index}: ${error instanceof Error ? error.message : String(error)}`)
        }
      }
    }),
  )
  return result
}

/** Rows per tenant as the admin sees them (RLS does not apply to the owner/superuser). */
export async function committedRowsByTenant(admin: pg.Client): Promise<Map<string, number>> {
  const { rows } = await admin.query<{ tenant: string; n: number }>(
    'select tenant, count(*)::int as n from tenant_rows group by tenant',
  )
  return new Map(rows.map((row) => [row.tenant, row.n]))
}
