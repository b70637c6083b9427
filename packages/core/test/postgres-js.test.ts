import { claimsSql, createClaims, installHelpers, isPgClaimsError } from '@pg-claims/core'
import {
  createTestDatabase,
  hostAndPortOf,
  type PgProxy,
  signToken,
  startPgProxy,
  TEST_SECRET,
  type TestDatabase,
} from '@pg-claims/testing'
import postgres from 'postgres'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { inlineParameters } from '../src/drivers/postgres-js.js'

const claims = createClaims({
  secret: TEST_SECRET,
  roles: { default: 'anon', allowed: ['anon', 'authenticated', 'postgres_js_missing_role'] },
})
const token = (sub: string) => signToken({ sub, role: 'authenticated' })

let database: TestDatabase
let proxy: PgProxy
const sqls: postgres.Sql[] = []

/** A postgres.js `sql` of one connection through the flight-counting proxy, connection open. */
async function proxiedSql(prepare: boolean): Promise<postgres.Sql> {
  const sql = postgres(proxy.connectionString(database.url), { max: 1, prepare, onnotice: () => {} })
  sqls.push(sql)
  await sql`select 1`
  return sql
}

beforeAll(async () => {
  database = await createTestDatabase({
    setup: async (admin) => {
      await installHelpers(admin)
      await admin.query('create table probe (id serial primary key, owner text default auth.user_id())')
      await admin.query('grant select, insert on probe to authenticated, authenticator')
      await admin.query('grant usage on sequence probe_id_seq to authenticated, authenticator')
    },
  })
  const { host, port } = hostAndPortOf(database.url)
  proxy = await startPgProxy({ upstreamHost: host, upstreamPort: port })
})

afterAll(async () => {
  await Promise.all(sqls.map((sql) => sql.end()))
  await proxy?.close()
  await database?.drop()
})

/** Flights of the same work on postgres.js with and without claims, `prepare` as given. */
async function measure(prepare: boolean) {
  const sql = await proxiedSql(prepare)
  const scope = claimsSql(sql, claims).withClaims(await token('alice'))
  await scope.context()
  const one = 1
  // warm up: with prepare: true, postgres.js describes a statement once per connection
  await sql`select ${one}::int`
  await scope.query((tx) => tx`select ${one}::int`)
  return {
    plainQuery: await proxy.flightsOf(() => sql`select ${one}::int`),
    claimsQuery: await proxy.flightsOf(() => scope.query((tx) => tx`select ${one}::int`)),
    plainTransaction: await proxy.flightsOf(() => sql.begin((tx) => tx`select ${one}::int`)),
    claimsTransaction: await proxy.flightsOf(() => scope.transaction((tx) => tx`select ${one}::int`)),
  }
}

describe('postgres.js flights', () => {
  it('prepare: true: a claims query takes 1 flight, as a plain one; a claims transaction fewer than sql.begin', async () => {
    expect(await measure(true)).toEqual({
      plainQuery: 1,
      claimsQuery: 1,
      plainTransaction: 3,
      claimsTransaction: 2,
    })
  })

  it('prepare: false: the settings add no flight to a transaction; a single query pays for COMMIT behind the describe', async () => {
    // postgres.js describes every parameterised statement first when it does not prepare, and
    // writes nothing behind it until it is answered: COMMIT waits for the query.
    expect(await measure(false)).toEqual({
      plainQuery: 2,
      claimsQuery: 3,
      plainTransaction: 4,
      claimsTransaction: 3,
    })
  })

  it('prepare: false: a query without parameters takes 1 flight with claims, as without', async () => {
    const sql = await proxiedSql(false)
    const scope = claimsSql(sql, claims).withClaims(await token('alice'))
    await scope.context()
    expect({
      plainQuery: await proxy.flightsOf(() => sql`select 1`),
      claimsQuery: await proxy.flightsOf(() => scope.query((tx) => tx`select 1`)),
    }).toEqual({ plainQuery: 1, claimsQuery: 1 })
  })
})

describe('postgres.js claims', () => {
  it('sends the settings as literals in a simple-protocol message, never as a prepared statement', async () => {
    const sql = await proxiedSql(false)
    const [row] = await claimsSql(sql, claims)
      .withClaims(await token("o'brien"))
      .query((tx) => tx`select current_user as role, auth.user_id() as uid`)
    expect(row).toEqual({ role: 'authenticated', uid: "o'brien" })
  })

  it('a role PostgreSQL lacks fails with ROLE_UNKNOWN and the query never runs', async () => {
    const sql = await proxiedSql(true)
    const ghost = await signToken({ sub: 'ghost', role: 'postgres_js_missing_role' })
    await expect(
      claimsSql(sql, claims)
        .withClaims(ghost)
        .query((tx) => tx`select pg_catalog.set_config('pjs.ran', 'yes', false)`),
    ).rejects.toMatchObject({ code: 'ROLE_UNKNOWN' })
    const [row] = await sql`select current_setting('pjs.ran', true) as ran, current_user as role`
    expect(row).toEqual({ ran: null, role: 'authenticator' })
  })

  it('a query built inside the transaction and awaited after it never runs', async () => {
    const sql = await proxiedSql(false)
    const scope = claimsSql(sql, claims).withClaims(await token('alice'))
    const late = await scope.transaction(async (tx) => ({ query: tx`insert into probe default values` }))
    const error = await late.query.then(
      () => undefined,
      (caught: unknown) => caught,
    )
    expect(isPgClaimsError(error, 'TRANSACTION_ENDED')).toBe(true)
    const [row] = await sql`select count(*)::int as probes from probe`
    expect(row).toEqual({ probes: 0 })
  })

  it('refuses begin, reserve and release inside a claims transaction', async () => {
    const sql = await proxiedSql(false)
    const scope = claimsSql(sql, claims).withClaims(await token('alice'))
    const codes = await scope.transaction(async (tx) => {
      const codeOf = (run: () => unknown) => {
        try {
          run()
          return 'no error'
        } catch (error) {
          return isPgClaimsError(error) ? error.code : String(error)
        }
      }
      return {
        begin: codeOf(() => tx.begin(async () => undefined)),
        reserve: codeOf(() => tx.reserve()),
        release: codeOf(() => (tx as unknown as postgres.ReservedSql).release()),
      }
    })
    expect(codes).toEqual({ begin: 'CONFIG_INVALID', reserve: 'CONFIG_INVALID', release: 'RELEASE_REFUSED' })
  })
})

describe('postgres.js faults', () => {
  // What comes next is postgres.js's own: 3.4.9 hands the dead connection's error to the next
  // reserve() and may strand one queued meanwhile (porsager/postgres#1195, #1199). The backend is
  // killed while a statement runs, so the statement hears of it: a reserved connection that dies
  // between statements tells no one, and postgres.js 3.4.9 then throws in a timer (a TypeError,
  // writing on its closed socket) at the next statement, which no driver wrapping it can see
  // coming.
  it('the backend is killed mid-transaction: the caller gets the connection error, nothing is written on the dead connection', async () => {
    const sql = postgres(database.url, { max: 1, prepare: false, onnotice: () => {} })
    const admin = postgres(database.adminUrl, { max: 1, onnotice: () => {} })
    const scope = claimsSql(sql, claims).withClaims(await token('alice'))
    const error = await scope
      .transaction(async (tx) => {
        const [row] = await tx`select pg_backend_pid() as pid`
        const running = tx`select pg_sleep(30)`.catch(() => undefined) // sent now, answered never
        await admin`select pg_terminate_backend(${row!.pid})`
        await running // the application goes on after the failure
        await tx`select 2`
      })
      .then(
        () => undefined,
        (caught: unknown) => caught,
      )
    await admin.end()
    await sql.end({ timeout: 0 }) // a plain end() waits forever after a lost connection (porsager/postgres#1097)
    // had anything been written on the closed socket, postgres.js would throw in a timer and
    // vitest would report an uncaught exception for this file
    expect(String(Reflect.get(Object(error), 'code'))).toMatch(/57P01|CONNECTION_CLOSED|ECONNRESET|EPIPE/)
  })
})

describe('postgres.js savepoints', () => {
  it('sql.savepoint inside a claims transaction rolls back only its own work', async () => {
    const sql = await proxiedSql(false)
    const scope = claimsSql(sql, claims).withClaims(await token('sam'))
    const owners = await scope.transaction(async (tx) => {
      await tx`insert into probe default values`
      await tx
        .savepoint(async (inner) => {
          await inner`insert into probe default values`
          throw new Error('undo the inner insert')
        })
        .catch(() => undefined)
      return tx`select owner from probe where owner = 'sam'`
    })
    expect([...owners]).toEqual([{ owner: 'sam' }])
  })
})

describe('the engine statements postgres.js sends as simple-protocol text', () => {
  it('inlines values as literals, leaves quoted text alone, refuses dollar quoting', () => {
    expect(
      inlineParameters(
        `SELECT pg_catalog.current_setting('role') = 'none' AND pg_catalog.concat(pg_catalog.current_setting($1, true), '$2') = '' AS clean`,
        ["it's", 'unused'],
      ),
    ).toBe(
      `SELECT pg_catalog.current_setting('role') = 'none' AND pg_catalog.concat(pg_catalog.current_setting('it''s', true), '$2') = '' AS clean`,
    )
    expect(inlineParameters('COMMIT', [])).toBe('COMMIT')
    expect(() => inlineParameters('SELECT $$x$$, $1', ['a'])).toThrow(/dollar quoting/)
    expect(() => inlineParameters('SELECT $2', ['a'])).toThrow(/no value for \$2/)
  })
})
