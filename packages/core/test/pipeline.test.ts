import type { Socket } from 'node:net'
import { claimsPool, createClaims, installHelpers } from '@pg-claims/core'
import { runClaimsStatement, usingPgConnection } from '@pg-claims/core/adapter'
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
    expect(text).toMatch(
      /^SELECT WHERE pg_catalog\.cardinality\(ARRAY\[pg_catalog\.set_config\(\$1, \$2, true\), /,
    )
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

/** The frontend messages `socket` writes while recording: their types, and the texts they parse. */
function recordMessages(socket: Socket) {
  let chunks: Buffer[] = []
  for (const method of ['_write', '_writev'] as const) {
    const original = socket[method] as (...args: unknown[]) => unknown
    Object.assign(socket, {
      [method](this: Socket, ...args: unknown[]) {
        const first = args[0]
        if (Buffer.isBuffer(first)) chunks.push(first)
        else for (const { chunk } of first as { chunk: Buffer }[]) chunks.push(chunk)
        return original.apply(this, args)
      },
    })
  }
  return async (work: () => Promise<unknown>) => {
    chunks = []
    await work()
    const bytes = Buffer.concat(chunks)
    const types: string[] = []
    const texts: string[] = []
    for (let at = 0; at < bytes.length; at += 1 + bytes.readInt32BE(at + 1)) {
      const type = String.fromCharCode(bytes[at] as number)
      types.push(type)
      const body = bytes.subarray(at + 5, at + 1 + bytes.readInt32BE(at + 1))
      if (type === 'Q') texts.push(body.toString('utf8', 0, body.indexOf(0)))
      if (type === 'P') {
        const start = body.indexOf(0) + 1
        texts.push(body.toString('utf8', start, body.indexOf(0, start)))
      }
    }
    return { syncs: types.filter((type) => type === 'S').length, texts }
  }
}

/** The socket of the one connection of `pool` (max 1). */
async function socketOf(pool: pg.Pool): Promise<Socket> {
  const client = await pool.connect()
  client.release()
  return Reflect.get(Reflect.get(client, 'connection'), 'stream') as Socket
}

describe('a single claims query on a pipelined pool', () => {
  it('is the settings and the query under ONE Sync (an implicit transaction, no BEGIN or COMMIT), then the session check', async () => {
    const pool = await proxiedPool(true)
    const scope = claimsPool(pool, claims).withClaims(await token('erin'))
    await scope.context()
    const recorded = recordMessages(await socketOf(pool))
    const { syncs, texts } = await recorded(() => scope.query('select $1::int', [1]))
    expect(syncs).toBe(2)
    expect(texts).toHaveLength(3)
    expect(texts[0]).toMatch(
      /^SELECT WHERE pg_catalog\.cardinality\(ARRAY\[pg_catalog\.set_config\(\$1, \$2, true\), /,
    )
    expect(texts[1]).toBe('select $1::int')
    expect(texts[2]).toMatch(/^SELECT pg_catalog\.current_setting\('role'\) = 'none' AND /)
    // a plain query, for comparison: one statement, one Sync
    expect(await recorded(() => pool.query('select $1::int', [1]))).toEqual({
      syncs: 1,
      texts: ['select $1::int'],
    })
    // the query saw the claims, and they ended with it
    const seen = await scope.query<{ sub: string; role: string }>(
      `select auth.user_id() as sub, current_user as role`,
    )
    expect(seen.rows).toEqual([{ sub: 'erin', role: 'authenticated' }])
    const after = await pool.query(
      `select current_setting('request.jwt.claims', true) as claims, current_user as role`,
    )
    expect(after.rows).toEqual([{ claims: '', role: 'authenticator' }])
  })

  it('refuses a second statement sent beside the first (TRANSACTION_ENDED): it never runs, with or without claims', async () => {
    const pool = await proxiedPool(true)
    const context = await claims.resolve(await token('frank'))
    const second = usingPgConnection(pool, (connection) =>
      runClaimsStatement(connection, context, (lease) => {
        const client = connection.lend(lease)
        return Promise.all([
          client.query('insert into probe default values'),
          client.query(`insert into probe (owner) values ('second')`),
        ])
      }),
    )
    await expect(second).rejects.toMatchObject({ code: 'TRANSACTION_ENDED' })
    const { rows } = await pool.query(
      `select owner from probe where owner in ('frank', 'second') order by owner`,
    )
    expect(rows).toEqual([{ owner: 'frank' }])
  })

  it('refuses a text of several statements (PostgreSQL, 42601), so none can end the transaction and run without claims', async () => {
    const pool = await proxiedPool(true)
    const scope = claimsPool(pool, claims).withClaims(await token('gina'))
    await expect(
      scope.query(`insert into probe default values; commit; insert into probe (owner) values ('escaped')`),
    ).rejects.toMatchObject({ code: '42601' })
    const { rows } = await pool.query(
      `select count(*)::int as n from probe where owner in ('gina', 'escaped')`,
    )
    expect(rows).toEqual([{ n: 0 }])
  })

  it('that opens a transaction (BEGIN) gets its connection destroyed: the next borrower never sees it', async () => {
    const pool = await proxiedPool(true)
    const scope = claimsPool(pool, claims).withClaims(await token('hank'))
    const before = (await pool.query('select pg_backend_pid() as pid')).rows[0].pid
    await scope.query('BEGIN')
    const { rows } = await pool.query(
      `select pg_backend_pid() as pid, current_user as role, pg_catalog.current_setting('request.jwt.claims', true) as claims, now() = statement_timestamp() as fresh`,
    )
    expect(rows[0]).toMatchObject({ role: 'authenticator', claims: null, fresh: true })
    expect(rows[0].pid).not.toBe(before)
  })

  it('keeps pg’s record of named statements true, whichever statement of the sequence fails', async () => {
    const pool = await proxiedPool(true)
    const good = await claims.resolve(await token('ivy'))
    const ghost = await claims.resolve(await signToken({ sub: 'ghost', role: 'pipeline_missing_role' }))
    const named = (context: typeof good, config: pg.QueryConfig) =>
      usingPgConnection(pool, (connection) =>
        runClaimsStatement(connection, context, (lease) => connection.lend(lease).query(config)),
      )
    // the query's own Parse fails: pg must not think it parsed, so the next use parses it again
    await expect(named(good, { name: 'join_typo', text: 'selec 1' })).rejects.toMatchObject({ code: '42601' })
    await expect(pool.query({ name: 'join_typo', text: 'selec 1' })).rejects.toMatchObject({ code: '42601' })
    // the settings fail: the query's Parse was skipped, so it is parsed on its next use
    await expect(named(ghost, { name: 'join_ghost', text: 'select 2 as n' })).rejects.toMatchObject({
      code: 'ROLE_UNKNOWN',
    })
    expect((await pool.query({ name: 'join_ghost', text: 'select 2 as n' })).rows).toEqual([{ n: 2 }])
    // both succeed: parsed once, then reused, joined or not
    const sub = { name: 'join_sub', text: 'select auth.user_id() as sub' }
    expect((await named(good, sub)).rows).toEqual([{ sub: 'ivy' }])
    expect((await named(good, sub)).rows).toEqual([{ sub: 'ivy' }])
    expect((await pool.query(sub)).rows).toEqual([{ sub: null }])
  })

  it('whose callback sends nothing still applies the settings alone, so a bad role is still ROLE_UNKNOWN', async () => {
    const pool = await proxiedPool(true)
    const good = await claims.resolve(await token('kim'))
    const ghost = await claims.resolve(await signToken({ sub: 'ghost', role: 'pipeline_missing_role' }))
    const nothing = (context: typeof good) =>
      usingPgConnection(pool, (connection) => runClaimsStatement(connection, context, async () => 'nothing'))
    await expect(nothing(good)).resolves.toBe('nothing')
    await expect(nothing(ghost)).rejects.toMatchObject({ code: 'ROLE_UNKNOWN' })
    expect((await pool.query('select current_user as role')).rows).toEqual([{ role: 'authenticator' }])
  })

  it('refuses a custom query class (CONFIG_INVALID): it is never submitted', async () => {
    const pool = await proxiedPool(true)
    const context = await claims.resolve(await token('jack'))
    let submitted = 0
    const submittable = {
      submit: () => {
        submitted += 1
        return null
      },
      handleError: () => undefined,
    }
    await expect(
      usingPgConnection(pool, (connection) =>
        runClaimsStatement(connection, context, async (lease) =>
          connection.lend(lease).query(submittable as unknown as pg.QueryConfig),
        ),
      ),
    ).rejects.toMatchObject({ code: 'CONFIG_INVALID' })
    expect(submitted).toBe(0)
  })
})
