import { installHelpers } from '@pg-claims/core'
import {
  type AdapterUnderTest,
  bootstrapServer,
  conformanceClaims,
  createTestDatabase,
  type StartedServer,
  signToken,
  startEmbeddedServer,
  type TestDatabase,
} from '@pg-claims/testing'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { adapterTargetsOnPools } from './support/adapters.js'
import { sqlStateOf } from './support/sql-state.js'

const LEDGER = `
  create table ledger (id serial primary key, owner text not null default auth.user_id(), amount int not null);
  alter table ledger enable row level security;
  grant select, insert on ledger to authenticated;
  grant usage on sequence ledger_id_seq to authenticated;
  create policy own_rows on ledger to authenticated using (owner = (select auth.user_id())) with check (owner = (select auth.user_id()));
`
const setup = async (admin: pg.Client) => {
  await installHelpers(admin)
  await admin.query(LEDGER)
}
const alice = () => signToken({ sub: 'alice', role: 'authenticated' })
const clean = [{ role: 'authenticator', session: null }]
const state = (adapter: AdapterUnderTest) =>
  adapter.plainQuery('select current_user as role, auth.session() as session')
const caught = (promise: Promise<unknown>) =>
  promise.then(
    () => expect.unreachable('the transaction succeeded'),
    (error: unknown) => error,
  )

describe.each(adapterTargetsOnPools)('faults: $name', ({ target, pipeline }) => {
  let database: TestDatabase
  let adapter: AdapterUnderTest
  let admin: pg.Client

  beforeAll(async () => {
    database = await createTestDatabase({ setup })
    adapter = await target.create({ url: database.url, claims: conformanceClaims(), poolSize: 1, pipeline })
    admin = new pg.Client({ connectionString: database.adminUrl })
    await admin.connect()
    await admin.query(`insert into ledger (owner, amount) values ('alice', 100)`)
  })

  afterAll(async () => {
    await admin.end()
    await adapter.close()
    await database.drop()
  })

  const ledger = async () => (await admin.query('select owner, amount from ledger order by id')).rows

  it('the callback throws: the same error reaches the caller, the write is rolled back', async () => {
    const failure = new Error('callback failed')
    const error = await caught(
      adapter.transaction(await alice(), async (run) => {
        await run('insert into ledger (amount) values (1)')
        throw failure
      }),
    )
    expect(error).toBe(failure)
    expect(await ledger()).toEqual([{ owner: 'alice', amount: 100 }])
    expect(await state(adapter)).toEqual(clean)
  })

  it('a query fails mid-transaction: its SQLSTATE reaches the caller, earlier writes are rolled back', async () => {
    const error = await caught(
      adapter.transaction(await alice(), async (run) => {
        await run('insert into ledger (amount) values (2)')
        await run('select 1 / 0')
      }),
    )
    expect(sqlStateOf(error)).toBe('22012')
    expect(await ledger()).toEqual([{ owner: 'alice', amount: 100 }])
    expect(await state(adapter)).toEqual(clean)
  })

  it('statement_timeout fires: 57014 reaches the caller, the connection is clean after', async () => {
    const error = await caught(
      adapter.transaction(await alice(), async (run) => {
        await run(`set local statement_timeout = '50ms'`)
        await run('select pg_sleep(2)')
      }),
    )
    expect(sqlStateOf(error)).toBe('57014')
    expect(await state(adapter)).toEqual(clean)
  })

  it('the backend is killed mid-transaction: the caller gets the error, the next transaction is clean', async () => {
    const error = await caught(
      adapter.transaction(await alice(), async (run) => {
        await run('insert into ledger (amount) values (3)')
        const [row] = await run('select pg_backend_pid() as pid')
        await admin.query('select pg_terminate_backend($1)', [row!.pid])
        await run('select 1')
      }),
    )
    // pg's 'not queryable' is the same fact (the connection died) as Prisma's adapter reports it
    expect(sqlStateOf(error) ?? (error as Error).message).toMatch(/57P01|terminat|ECONNRESET|not queryable/i)
    expect(await adapter.query(await alice(), 'select current_user as role, auth.user_id() as uid')).toEqual([
      { role: 'authenticated', uid: 'alice' },
    ])
    expect(await state(adapter)).toEqual(clean)
    expect(await ledger()).toEqual([{ owner: 'alice', amount: 100 }])
  })

  it('the pool is exhausted: a waiting caller gets the connection when it frees, with its own claims', async () => {
    let release!: () => void
    const held = new Promise<void>((resolve) => {
      release = resolve
    })
    const first = adapter.transaction(await alice(), async (run) => {
      await held
      return run('select auth.user_id() as uid')
    })
    const second = adapter.transaction(await signToken({ sub: 'bob', role: 'authenticated' }), (run) =>
      run('select auth.user_id() as uid'),
    )
    const raced = await Promise.race([
      second.then(() => 'second finished'),
      new Promise((r) => setTimeout(r, 200, 'waiting')),
    ])
    expect(raced).toBe('waiting')
    release()
    expect([await first, await second]).toEqual([[{ uid: 'alice' }], [{ uid: 'bob' }]])
    expect(await state(adapter)).toEqual(clean)
  })
})

describe('faults: the database restarts', () => {
  let server: StartedServer
  let database: TestDatabase

  beforeAll(async () => {
    server = await startEmbeddedServer()
    const password = 'restart-test-password'
    const { serverVersion } = await bootstrapServer(server.adminUrl, password)
    const { hostname, port } = new URL(server.adminUrl)
    database = await createTestDatabase({
      server: {
        adminUrl: server.adminUrl,
        authenticatorPassword: password,
        host: hostname,
        port: Number(port),
        serverVersion,
      },
      setup,
    })
  }, 60_000)

  afterAll(async () => {
    await database?.drop()
    await server?.stop()
  })

  it.each(adapterTargetsOnPools)(
    '$name: in-flight work fails with an error, committed data survives, the pool recovers clean',
    async ({ target, pipeline }) => {
      const adapter = await target.create({
        url: database.url,
        claims: conformanceClaims(),
        poolSize: 2,
        pipeline,
      })
      try {
        const token = await alice()
        await adapter.query(token, `insert into ledger (amount) values (7)`)
        const inFlight = caught(adapter.transaction(token, (run) => run('select pg_sleep(10)')))
        await new Promise((resolve) => setTimeout(resolve, 200))
        await server.restart!()
        const error = await inFlight
        expect(sqlStateOf(error) ?? (error as Error).message).toMatch(/57P01|terminat|closed|ECONNRESET/i)
        expect(await adapter.query(token, 'select owner, amount from ledger')).toEqual(
          expect.arrayContaining([{ owner: 'alice', amount: 7 }]),
        )
        expect(await state(adapter)).toEqual(clean)
      } finally {
        await adapter.close()
      }
    },
    60_000,
  )
})
