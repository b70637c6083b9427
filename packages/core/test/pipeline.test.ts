import type { Socket } from 'node:net'
import { claimsPool, createClaims, installHelpers } from '@pg-claims/core'
import {
  createTestDatabase,
  hostAndPortOf,
  type PgProxy,
  signToken,
  startPgProxy,
  TEST_SECRET,
  type TestDatabase,
} from '@pg-claims/testing'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

const claims = createClaims({
  secret: TEST_SECRET,
  roles: { default: 'anon', allowed: ['anon', 'authenticated', 'pipeline_missing_role'] },
})
const token = (sub: string, extra: Record<string, unknown> = {}) =>
  signToken({ sub, role: 'authenticated', email: `${sub}@example.com`, ...extra })

let database: TestDatabase
let proxy: PgProxy
const pools: pg.Pool[] = []

/** A pool of one connection through the flight-counting proxy, with the connection open. */
async function proxiedPool(pipeline: boolean): Promise<pg.Pool> {
  const pool = new pg.Pool({ connectionString: proxy.connectionString(database.url), max: 1, pipeline })
  pools.push(pool)
  await pool.query('select 1')
  return pool
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
  await Promise.all(pools.map((pool) => pool.end()))
  await proxy?.close()
  await database?.drop()
})

describe('flights', () => {
  it('on a pipelined pool: a claims query takes 1 flight, a one-query claims transaction 2', async () => {
    const pool = await proxiedPool(true)
    const scope = claimsPool(pool, claims).withClaims(await token('alice'))
    await scope.context()
    const plainTransaction = async () => {
      const client = await pool.connect()
      try {
        await client.query('BEGIN')
        await client.query('select $1::int', [1])
        await client.query('COMMIT')
      } finally {
        client.release()
      }
    }
    expect({
      plainQuery: await proxy.flightsOf(() => pool.query('select $1::int', [1])),
      claimsQuery: await proxy.flightsOf(() => scope.query('select $1::int', [1])),
      plainTransaction: await proxy.flightsOf(plainTransaction),
      claimsTransaction: await proxy.flightsOf(() =>
        scope.transaction((client) => client.query('select $1::int', [1])),
      ),
    }).toEqual({ plainQuery: 1, claimsQuery: 1, plainTransaction: 3, claimsTransaction: 2 })
  })

  it('on a pipelined pool each flight is one write: the statements of a flight are corked together', async () => {
    const pool = await proxiedPool(true)
    const scope = claimsPool(pool, claims).withClaims(await token('alice'))
    await scope.context()
    // the socket of the pool's one connection, its writes (system calls) counted
    const client = await pool.connect()
    const socket = Reflect.get(Reflect.get(client, 'connection'), 'stream') as Socket
    client.release()
    let writes = 0
    for (const method of ['_write', '_writev'] as const) {
      const original = socket[method] as (...args: unknown[]) => unknown
      Object.assign(socket, {
        [method](this: Socket, ...args: unknown[]) {
          writes += 1
          return original.apply(this, args)
        },
      })
    }
    const counted = async (work: () => Promise<unknown>) => {
      writes = 0
      await work()
      return writes
    }
    expect({
      claimsQuery: await counted(() => scope.query('select $1::int', [1])),
      claimsTransaction: await counted(() => scope.transaction((c) => c.query('select $1::int', [1]))),
      twoQueryTransaction: await counted(() =>
        scope.transaction(async (c) => {
          await c.query('select $1::int', [1])
          await c.query('select $1::int', [2])
        }),
      ),
    }).toEqual({ claimsQuery: 1, claimsTransaction: 2, twoQueryTransaction: 3 })
  })

  it('without pipelining: claims ride in the BEGIN message, as many flights as a plain transaction', async () => {
    const pool = await proxiedPool(false)
    const scope = claimsPool(pool, claims).withClaims(await token('alice'))
    await scope.context()
    expect({
      claimsQuery: await proxy.flightsOf(() => scope.query('select $1::int', [1])),
      claimsTransaction: await proxy.flightsOf(() =>
        scope.transaction((client) => client.query('select $1::int', [1])),
      ),
    }).toEqual({ claimsQuery: 3, claimsTransaction: 3 })
  })
})

describe('the pipelined path fails closed', () => {
  it('a claims query under a role PostgreSQL lacks fails with ROLE_UNKNOWN and never runs', async () => {
    const pool = await proxiedPool(true)
    const ghost = await signToken({ sub: 'ghost', role: 'pipeline_missing_role' })
    const db = claimsPool(pool, claims)
    // the query would leave a session-level setting behind had it run outside the transaction
    await expect(
      db.withClaims(ghost).query(`select pg_catalog.set_config('pipeline.ran', 'yes', false)`),
    ).rejects.toMatchObject({ code: 'ROLE_UNKNOWN' })
    await expect(
      db.withClaims(ghost).transaction(async (client) => {
        await client.query(`insert into probe default values`)
        return client.query(`select pg_catalog.set_config('pipeline.ran', 'yes', false)`)
      }),
    ).rejects.toMatchObject({ code: 'ROLE_UNKNOWN' })
    const { rows } = await pool.query(
      `select current_setting('pipeline.ran', true) as ran, current_user as role, (select count(*)::int from probe) as probes`,
    )
    expect(rows).toEqual([{ ran: null, role: 'authenticator', probes: 0 }])
  })

  it('a statement that fails rolls the single query back, and the connection stays clean', async () => {
    const pool = await proxiedPool(true)
    const scope = claimsPool(pool, claims).withClaims(await token('alice'))
    await expect(scope.query('select 1 / 0')).rejects.toMatchObject({ code: '22012' })
    await expect(
      scope.query(
        `insert into probe (owner) select 'x' from pg_catalog.generate_series(1, 2) where 1 / 0 = 1`,
      ),
    ).rejects.toMatchObject({ code: '22012' })
    const { rows } = await pool.query(
      `select current_user as role, pg_catalog.current_setting('request.jwt.claims', true) as claims`,
    )
    expect(rows).toEqual([{ role: 'authenticator', claims: '' }])
  })

  it('a callback that caught its own failed statement gets TRANSACTION_ROLLED_BACK, not a commit', async () => {
    for (const pipeline of [false, true]) {
      const pool = await proxiedPool(pipeline)
      const scope = claimsPool(pool, claims).withClaims(await token('carol'))
      await expect(
        scope.transaction(async (client) => {
          await client.query('insert into probe default values')
          await client.query('select 1 / 0').catch(() => undefined)
          return 'done'
        }),
      ).rejects.toMatchObject({ code: 'TRANSACTION_ROLLED_BACK' })
      const { rows } = await pool.query(`select count(*)::int as n from probe where owner = 'carol'`)
      expect(rows).toEqual([{ n: 0 }])
    }
  })
})

describe('statement text', () => {
  /** What the backend of `client` ran last, once it waits inside its transaction. */
  async function lastStatement(observer: pg.Pool, pid: number): Promise<string> {
    for (;;) {
      const { rows } = await observer.query('select state, query from pg_stat_activity where pid = $1', [pid])
      if (rows[0]?.state === 'idle in transaction') return rows[0].query
    }
  }

  it('on a pipelined pool holds no claim value, role or setting name: they are bind parameters', async () => {
    const pool = new pg.Pool({ connectionString: database.url, max: 1, pipeline: true })
    const observer = new pg.Pool({ connectionString: database.url, max: 1 })
    pools.push(pool, observer)
    const text = await claimsPool(pool, claims)
      .withClaims(await token('secret-subject'))
      .transaction((client) => lastStatement(observer, Reflect.get(client, 'processID')))
    expect(text).toMatch(/^SELECT FROM ROWS FROM \(pg_catalog\.set_config\(\$1, \$2, true\), /)
    for (const word of [
      'secret-subject',
      'example.com',
      'authenticated',
      'request.jwt.claims',
      'jwt.claims',
    ]) {
      expect(text).not.toContain(word)
    }
  })
})

describe('the handle lent to the callback', () => {
  it('cannot release the connection mid-transaction', async () => {
    const pool = await proxiedPool(true)
    await expect(
      claimsPool(pool, claims)
        .withClaims(await token('dan'))
        .transaction(async (client) => client.release()),
    ).rejects.toMatchObject({ code: 'RELEASE_REFUSED' })
    expect((await pool.query('select current_user as role')).rows).toEqual([{ role: 'authenticator' }])
  })
})
