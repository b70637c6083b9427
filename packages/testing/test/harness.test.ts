import { createHash, randomBytes } from 'node:crypto'
import { createTestDatabase, type PgProxy, roles, startPgProxy, type TestDatabase } from '@pg-claims/testing'
import pg from 'pg'
import { afterAll, afterEach, beforeAll, describe, expect, inject, it } from 'vitest'
import { bootstrapServer } from '../src/bootstrap.js'

const server = inject('pgClaimsServer')
const clients: pg.Client[] = []

/** Connects a client that the afterEach hook closes. */
async function connect(connectionString: string): Promise<pg.Client> {
  const client = new pg.Client({ connectionString })
  client.on('error', () => {})
  await client.connect()
  clients.push(client)
  return client
}

async function scalar<T>(client: pg.Client, sql: string, values?: unknown[]): Promise<T> {
  const result = await client.query<{ value: T }>(sql, values)
  return result.rows[0]!.value
}

afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.end().catch(() => {})))
})

describe('global setup', () => {
  it('provides a bootstrapped server', async () => {
    expect(server.adminUrl).toMatch(/^postgres(ql)?:\/\//)
    expect(server.port).toBeGreaterThan(0)
    expect(server.serverVersion).toBeGreaterThanOrEqual(130000)
    const admin = await connect(server.adminUrl)
    const rows = await admin.query<{ rolname: string; rolcanlogin: boolean; rolinherit: boolean }>(
      `select rolname, rolcanlogin, rolinherit from pg_roles where rolname = any($1) order by rolname`,
      [[roles.anon, roles.authenticated, roles.authenticator]],
    )
    expect(rows.rows).toEqual([
      { rolname: 'anon', rolcanlogin: false, rolinherit: true },
      { rolname: 'authenticated', rolcanlogin: false, rolinherit: true },
      { rolname: 'authenticator', rolcanlogin: true, rolinherit: false },
    ])
  })

  it('bootstraps idempotently, as on a reused DATABASE_URL server', async () => {
    const again = await bootstrapServer(server.adminUrl, server.authenticatorPassword)
    expect(again.serverVersion).toBe(server.serverVersion)
  })
})

describe('createTestDatabase', () => {
  let db: TestDatabase

  beforeAll(async () => {
    db = await createTestDatabase({
      setup: async (admin) => {
        await admin.query(`
          create table private_notes (id int primary key, body text not null);
          insert into private_notes values (1, 'for members');
          grant select on private_notes to authenticated;
          create table public_notes (id int primary key, body text not null);
          insert into public_notes values (1, 'for everyone');
          grant select on public_notes to anon, authenticated;
        `)
      },
    })
  })
  afterAll(() => db?.drop())

  it('names the database pgc_ + random hex and hands out URLs for it', async () => {
    expect(db.name).toMatch(/^pgc_[0-9a-f]{16}$/)
    const admin = await connect(db.adminUrl)
    expect(await scalar(admin, 'select current_database() as value')).toBe(db.name)
    expect(await scalar(admin, 'select current_user as value')).not.toBe(roles.authenticator)
  })

  it('connects as authenticator, which is not a superuser', async () => {
    const client = await connect(db.url)
    const row = await client.query<{ user: string; session: string; db: string; super: boolean }>(
      `select current_user as user, session_user as session, current_database() as db,
              (select rolsuper from pg_roles where rolname = current_user) as super`,
    )
    expect(row.rows[0]).toEqual({
      user: 'authenticator',
      session: 'authenticator',
      db: db.name,
      super: false,
    })
  })

  it('keeps authenticator NOINHERIT: no access to what only authenticated may read until it switches', async () => {
    const client = await connect(db.url)
    await expect(client.query('select body from private_notes')).rejects.toMatchObject({ code: '42501' })
    await client.query('begin')
    await client.query(`select set_config('role', 'authenticated', true)`)
    expect(await scalar(client, 'select body as value from private_notes')).toBe('for members')
    await client.query('commit')
    await expect(client.query('select body from private_notes')).rejects.toMatchObject({ code: '42501' })
  })

  it("switches to anon for one transaction with set_config('role', 'anon', true)", async () => {
    const client = await connect(db.url)
    await client.query('begin')
    await client.query(`select set_config('role', 'anon', true)`)
    expect(await scalar(client, 'select current_user as value')).toBe('anon')
    expect(await scalar(client, 'select body as value from public_notes')).toBe('for everyone')
    await expect(client.query('select body from private_notes')).rejects.toMatchObject({ code: '42501' })
    await client.query('rollback')
    await client.query('begin')
    await client.query(`select set_config('role', 'anon', true)`)
    await client.query('commit')
    expect(await scalar(client, 'select current_user as value')).toBe('authenticator')
  })

  it('does not let authenticator create objects in schema public', async () => {
    const client = await connect(db.url)
    await expect(client.query('create table t (id int)')).rejects.toMatchObject({ code: '42501' })
  })

  it('drops a database whose setup failed, and rethrows', async () => {
    let name = ''
    await expect(
      createTestDatabase({
        setup: async (admin) => {
          name = await scalar(admin, 'select current_database() as value')
          throw new Error('setup failed on purpose')
        },
      }),
    ).rejects.toThrow('setup failed on purpose')
    const admin = await connect(server.adminUrl)
    expect(name).toMatch(/^pgc_/)
    expect(
      await scalar(admin, 'select count(*)::int as value from pg_database where datname = $1', [name]),
    ).toBe(0)
  })

  it('drop() terminates open connections, removes the database and may be called twice', async () => {
    const other = await createTestDatabase()
    const open = await connect(other.url)
    await open.query('select 1')
    await other.drop()
    await other.drop()
    const admin = await connect(server.adminUrl)
    expect(
      await scalar(admin, 'select count(*)::int as value from pg_database where datname = $1', [other.name]),
    ).toBe(0)
    await expect(open.query('select 1')).rejects.toThrow()
  })
})

describe('startPgProxy', () => {
  let db: TestDatabase
  let proxy: PgProxy

  beforeAll(async () => {
    db = await createTestDatabase()
    proxy = await startPgProxy({ upstreamHost: server.host, upstreamPort: server.port })
  })
  afterAll(async () => {
    await proxy?.close()
    await db?.drop()
  })

  it('replaces host and port in a connection string and keeps the rest', () => {
    const url = proxy.connectionString('postgres://u:p%40ss@db.example:6543/app?sslmode=disable')
    expect(url).toBe(`postgres://u:p%40ss@127.0.0.1:${proxy.port}/app?sslmode=disable`)
  })

  it('counts BEGIN, a query and COMMIT as 3 flights', async () => {
    const client = await connect(proxy.connectionString(db.url))
    proxy.reset()
    await client.query('begin')
    await client.query('select 1')
    await client.query('commit')
    expect(proxy.flights()).toBe(3)
  })

  it('counts a multi-statement simple query as 1', async () => {
    const client = await connect(proxy.connectionString(db.url))
    proxy.reset()
    await client.query('BEGIN; SELECT 1')
    expect(proxy.flights()).toBe(1)
    await client.query('rollback')
    expect(proxy.flights()).toBe(2)
  })

  it('counts each extended-protocol query as 1, prepared or not', async () => {
    const client = await connect(proxy.connectionString(db.url))
    proxy.reset()
    expect(await scalar(client, 'select $1::int + 1 as value', [1])).toBe(2)
    expect(await scalar(client, 'select $1::text as value', ['x'])).toBe('x')
    const named = { name: 'plus_one', text: 'select $1::int + 1 as value' }
    await client.query({ ...named, values: [1] })
    await client.query({ ...named, values: [2] })
    expect(proxy.flights()).toBe(4)
  })

  it('forwards a 1 MB parameter byte for byte, as one round trip', async () => {
    const client = await connect(proxy.connectionString(db.url))
    const payload = randomBytes(1024 * 1024)
    proxy.reset()
    const result = await client.query<{ md5: string; size: number }>(
      'select md5($1::bytea) as md5, length($1::bytea) as size',
      [payload],
    )
    expect(result.rows[0]).toEqual({
      md5: createHash('md5').update(payload).digest('hex'),
      size: payload.length,
    })
    expect(proxy.flights()).toBe(1)
  })

  it('counts over several connections', async () => {
    const first = await connect(proxy.connectionString(db.url))
    const second = await connect(proxy.connectionString(db.url))
    proxy.reset()
    await Promise.all([
      first.query('select 1'),
      second.query('select 1'),
      second.query('select $1::int', [1]),
    ])
    expect(proxy.flights()).toBe(3)
  })

  it('counts statements pipelined before the server answers as 1 flight', async () => {
    const client = new pg.Client({ connectionString: proxy.connectionString(db.url), pipeline: true })
    clients.push(client)
    await client.connect()
    proxy.reset()
    const answers = await Promise.all([
      client.query('begin'),
      client.query('select $1::int as value', [1]),
      client.query('select 2 as value'),
      client.query('commit'),
    ])
    expect(answers.map((answer) => answer.command)).toEqual(['BEGIN', 'SELECT', 'SELECT', 'COMMIT'])
    expect(proxy.flights()).toBe(1)
    await client.query('select 1')
    expect(proxy.flights()).toBe(2)
  })

  it('adds delayMs to every flight', async () => {
    const delayMs = 5
    const slow = await startPgProxy({ upstreamHost: server.host, upstreamPort: server.port, delayMs })
    try {
      const fast = await connect(proxy.connectionString(db.url))
      const delayed = await connect(slow.connectionString(db.url))
      const time = async (client: pg.Client) => {
        const start = performance.now()
        await client.query('select 1')
        return performance.now() - start
      }
      await Promise.all([time(fast), time(delayed)]) // warm up
      // Interleaved, so that load on the machine slows both series alike.
      const plain: number[] = []
      const slowed: number[] = []
      for (let i = 0; i < 25; i++) {
        plain.push(await time(fast))
        slowed.push(await time(delayed))
      }
      const median = (samples: number[]) => samples.toSorted((a, b) => a - b)[samples.length >> 1]!
      slowed.sort((a, b) => a - b)
      // Every delayed query waits delayMs on top of its own time, so none can take less than that;
      // the typical difference is delayMs plus a fraction of a millisecond (timer granularity), and
      // the 10 % tolerance only absorbs noise between the two series.
      expect(slowed[0]).toBeGreaterThanOrEqual(delayMs)
      expect(median(slowed) - median(plain)).toBeGreaterThanOrEqual(delayMs * 0.9)
      // Still byte-exact and counted with the delay on.
      const payload = randomBytes(256 * 1024)
      slow.reset()
      expect(await scalar(delayed, 'select md5($1::bytea) as value', [payload])).toBe(
        createHash('md5').update(payload).digest('hex'),
      )
      expect(slow.flights()).toBe(1)
    } finally {
      await slow.close()
    }
  })
})
