import { IncomingMessage } from 'node:http'
import { Socket } from 'node:net'
import {
  type CallOptions,
  claimsPool,
  createClaims,
  installHelpers,
  isPgClaimsError,
  requestContext,
} from '@pg-claims/core'
import { functionCall, settingsStatement } from '@pg-claims/core/adapter'
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
import { requestSettings } from '../src/serialize/request-context.js'
import { serializeSettings } from '../src/serialize/settings.js'
import { fromOpeningError, preRequestStatus } from '../src/session/pre-request-error.js'
import { RoleSettingsCache } from '../src/session/role-settings.js'

const roles = { default: 'anon', allowed: ['anon', 'authenticated'] }

describe('built-in settings', () => {
  const extra = (settings: Record<string, string>) => () => settings

  it.each([
    ['statement_timeout', '8s'],
    ['lock_timeout', '250ms'],
    ['idle_in_transaction_session_timeout', '0'],
    ['search_path', '"$user", public, "My Schema"'],
    ['search_path', ''],
    ['application_name', 'api (eu-1)'],
  ])('lets settings.extra set %s to %j', (name, value) => {
    expect(serializeSettings(null, 'anon', { extra: extra({ [name]: value }) }).at(-1)).toEqual([name, value])
  })

  it.each([
    ['work_mem', '1GB'],
    ['session_authorization', 'postgres'],
    ['statement_timeout', 'soon'],
    ['statement_timeout', '-1'],
    ['search_path', 'public; drop table x'],
    ['request.method', 'GET'],
  ])('refuses %s = %j with SETTING_INVALID', (name, value) => {
    expect(() => serializeSettings(null, 'anon', { extra: extra({ [name]: value }) })).toThrow(
      expect.objectContaining({ code: 'SETTING_INVALID' }),
    )
  })
})

describe('request context', () => {
  it('writes the four PostgREST settings, header names lower-cased', () => {
    expect(
      requestSettings({ method: 'POST', headers: { 'X-App': 'web' }, cookies: { theme: 'dark' } }),
    ).toEqual([
      ['request.method', 'POST'],
      ['request.path', ''],
      ['request.headers', '{"x-app":"web"}'],
      ['request.cookies', '{"theme":"dark"}'],
    ])
  })

  it('refuses headers that differ only in case, and values that are not strings', () => {
    expect(() => requestSettings({ headers: { 'X-A': '1', 'x-a': '2' } })).toThrow(
      expect.objectContaining({ code: 'SETTING_INVALID' }),
    )
    expect(() => requestSettings({ headers: { 'x-a': 1 as never } })).toThrow(
      expect.objectContaining({ code: 'SETTING_INVALID' }),
    )
  })

  const headers = {
    authorization: 'Bearer secret',
    cookie: 'session=s3cret; theme=dark',
    'X-App': 'web',
    'user-agent': 'test',
  }

  it('copies from a web Request only the headers and cookies listed', () => {
    const request = new Request('https://api.test/notes?limit=1', { method: 'PATCH', headers })
    expect(requestContext.fromRequest(request)).toEqual({
      method: 'PATCH',
      path: '/notes',
      headers: {},
      cookies: {},
    })
    expect(
      requestContext.fromRequest(request, { headers: ['x-app', 'User-Agent'], cookies: ['theme'] }),
    ).toEqual({
      method: 'PATCH',
      path: '/notes',
      headers: { 'x-app': 'web', 'user-agent': 'test' },
      cookies: { theme: 'dark' },
    })
  })

  it('copies from a Node IncomingMessage only the headers and cookies listed', () => {
    const message = new IncomingMessage(new Socket())
    message.method = 'GET'
    message.url = '/notes/7?x=1'
    message.headers = { authorization: 'Bearer secret', cookie: 'a=1; theme="dark"', 'x-app': 'web' }
    expect(requestContext.fromIncomingMessage(message, { headers: ['X-App'], cookies: ['theme'] })).toEqual({
      method: 'GET',
      path: '/notes/7',
      headers: { 'x-app': 'web' },
      cookies: { theme: 'dark' },
    })
  })
})

describe('pre-request function', () => {
  it('is called through one quoted name, and refuses anything but schema.function', () => {
    expect(functionCall('api.check_request')).toBe('"api"."check_request"()')
    for (const name of ['check', 'a.b.c', 'api."x"', 'api.x()', 'api.x; drop table t', '.x']) {
      expect(() => createClaims({ secret: TEST_SECRET, roles, preRequest: name }), name).toThrow(
        expect.objectContaining({ code: 'CONFIG_INVALID' }),
      )
    }
  })

  it.each([
    ['PT403', 403],
    ['PT429', 429],
    ['PT999', 500],
    ['42501', 403],
    ['P0001', 400],
    ['42883', 500],
  ])('maps SQLSTATE %s to HTTP %i, as PostgREST does', (sqlstate, status) => {
    expect(preRequestStatus(sqlstate)).toBe(status)
  })

  it('leaves an opening error without a SQLSTATE (a broken connection) as it is', () => {
    const broken = new Error('Connection terminated unexpectedly')
    expect(fromOpeningError(broken, 'anon', true)).toBe(broken)
    expect(fromOpeningError({ code: '42883', message: 'no such function' }, 'anon', true)).toMatchObject({
      code: 'PRE_REQUEST_FAILED',
      sqlstate: '42883',
    })
  })
})

describe('role settings', () => {
  it('lets this database’s settings win, keeps custom names, and skips what a transaction cannot set', async () => {
    const row = (role: string, name: string, value: string, context: string | null, inDatabase = false) => ({
      role,
      in_database: inDatabase,
      name,
      value,
      context,
    })
    const rows = [
      row('authenticated', 'statement_timeout', '5s', 'user'),
      row('authenticated', 'app.region', 'eu', null),
      row('authenticated', 'log_statement', 'all', 'superuser'),
      row('authenticated', 'role', 'postgres', 'user'),
      row('authenticated', 'request.jwt.claims', '{}', null),
      row('authenticated', 'nonsense', 'x', null),
      row('authenticated', 'statement_timeout', '8s', 'user', true),
    ]
    const skipped: string[] = []
    const cache = new RoleSettingsCache({
      source: { query: async () => ({ rows }) },
      onSkipped: (role, name, reason) => skipped.push(`${role} ${name} ${reason}`),
    })
    expect(await cache.forRole('authenticated')).toEqual([
      ['statement_timeout', '8s'],
      ['app.region', 'eu'],
    ])
    await cache.forRole('authenticated')
    expect(await cache.forRole('anon')).toEqual([])
    expect(skipped).toEqual([
      'authenticated log_statement not-user-settable',
      'authenticated role written-by-pg-claims',
      'authenticated request.jwt.claims written-by-pg-claims',
      'authenticated nonsense unknown',
    ])
  })
})

describe('against PostgreSQL', () => {
  let database: TestDatabase
  let proxy: PgProxy
  let source: pg.Pool
  const pools: pg.Pool[] = []

  beforeAll(async () => {
    database = await createTestDatabase({
      setup: async (admin) => {
        await installHelpers(admin)
        await admin.query(`
          do $$ begin
            execute format('alter role authenticated in database %I set statement_timeout = %L', current_database(), '8s');
            execute format('alter role authenticated in database %I set search_path = app, public', current_database());
          end $$;
          create function public.gate() returns void language plpgsql as $f$
          begin
            case current_setting('request.headers', true)::json ->> 'x-gate'
              when 'deny' then raise sqlstate 'PT403' using message = 'denied';
              when 'fail' then raise exception 'plain failure';
              else null;
            end case;
          end $f$;
          create function public.record_call() returns void language sql as $f$
            select set_config('app.pre_request_saw',
              concat_ws(' ', current_user, current_setting('request.jwt.claims')::json ->> 'sub',
                current_setting('lock_timeout')), true)
          $f$;
          create function public.gate_private() returns void language plpgsql as $f$ begin end $f$;
          revoke execute on function public.gate_private() from public;
          grant execute on function public.gate_private() to anon, authenticated;
          do $$ begin create role not_granted nologin; exception when duplicate_object then null; end $$;
          create table probe (id serial primary key, note text);
          grant select, insert on probe to authenticated, anon;
          grant usage on sequence probe_id_seq to authenticated, anon;
        `)
      },
    })
    const { host, port } = hostAndPortOf(database.url)
    proxy = await startPgProxy({ upstreamHost: host, upstreamPort: port })
    source = new pg.Pool({ connectionString: database.url, max: 1 })
  })

  afterAll(async () => {
    await Promise.all(pools.map((pool) => pool.end()))
    await source?.end()
    await proxy?.close()
    await database?.drop()
  })

  async function proxiedPool(pipeline: boolean): Promise<pg.Pool> {
    const pool = new pg.Pool({ connectionString: proxy.connectionString(database.url), max: 1, pipeline })
    pools.push(pool)
    await pool.query('select 1')
    return pool
  }

  const parity = () =>
    createClaims({ secret: TEST_SECRET, roles, preRequest: 'public.gate', roleSettings: { source } })
  const call: CallOptions = {
    request: { method: 'GET', path: '/probe', headers: { 'x-gate': 'open' } },
    settings: { lock_timeout: '2s' },
  }

  it.each([true, false])(
    'takes no more flights with role settings, a request context and a pre-request function (pipelined: %s)',
    async (pipeline) => {
      const token = await signToken({ sub: 'u1', role: 'authenticated' })
      const plain = claimsPool(await proxiedPool(pipeline), createClaims({ secret: TEST_SECRET, roles }))
      const full = claimsPool(await proxiedPool(pipeline), parity())
      const flights = async (work: () => Promise<unknown>) => {
        await work() // the token verified, the role settings read
        return proxy.flightsOf(work)
      }
      const sql = `select current_setting('statement_timeout') as t`
      const before = {
        query: await flights(() => plain.withClaims(token).query(sql)),
        transaction: await flights(() => plain.withClaims(token).transaction((client) => client.query(sql))),
      }
      const after = {
        query: await flights(() => full.withClaims(token, call).query(sql)),
        transaction: await flights(() =>
          full.withClaims(token, call).transaction((client) => client.query(sql)),
        ),
      }
      expect(after).toEqual(before)
      expect(before).toEqual(pipeline ? { query: 1, transaction: 2 } : { query: 3, transaction: 3 })
      const { rows } = await full.withClaims(token, call).query(
        `select current_setting('statement_timeout') as statement_timeout, current_setting('search_path') as search_path,
          current_setting('lock_timeout') as lock_timeout`,
      )
      expect(rows).toEqual([{ statement_timeout: '8s', search_path: 'app, public', lock_timeout: '2s' }])
    },
  )

  it.each([true, false])('types what the pre-request function raises (pipelined: %s)', async (pipeline) => {
    const db = claimsPool(await proxiedPool(pipeline), parity())
    const gate = (value: string) => db.withClaims(null, { request: { headers: { 'x-gate': value } } })
    const insert = `insert into probe (note) values ('never')`
    const denied = await gate('deny')
      .transaction((client) => client.query(insert))
      .catch((error: unknown) => error)
    expect(denied).toMatchObject({ code: 'PRE_REQUEST_FAILED', status: 403, sqlstate: 'PT403' })
    const failed = await gate('fail')
      .query(insert)
      .catch((error: unknown) => error)
    expect(failed).toMatchObject({ code: 'PRE_REQUEST_FAILED', status: 400, sqlstate: 'P0001' })
    expect((failed as Error).message).toContain('plain failure')
    expect((await gate('open').query('select count(*)::int as n from probe')).rows).toEqual([{ n: 0 }])
  })

  it('applies the settings as ONE Result node in order, however many there are (no scan, no join, no argument limit)', async () => {
    // more settings than a function call takes arguments (100)
    const many = Object.fromEntries(Array.from({ length: 150 }, (_, index) => [`c${index}`, index]))
    const context = await parity().forCall(
      await createClaims({ secret: TEST_SECRET, roles }).resolve(
        await signToken({ ...many, role: 'authenticated' }),
      ),
      call,
    )
    expect(context.settings.length).toBeGreaterThan(150)
    const { rows } = await source.query(`explain (format json) ${context.settingsSql}`)
    const plan = rows[0]['QUERY PLAN'][0].Plan
    expect({ node: plan['Node Type'], children: plan.Plans }).toEqual({ node: 'Result', children: undefined })
    const client = await source.connect()
    try {
      const last = `select current_setting('jwt.claims.c149', true) as c`
      await client.query('begin')
      await client.query(context.settingsSql)
      expect((await client.query(last)).rows).toEqual([{ c: '149' }])
      await client.query('rollback')
      await client.query('begin')
      const bound = settingsStatement(context.settings)
      await client.query(bound.text, [...bound.values])
      expect((await client.query(last)).rows).toEqual([{ c: '149' }])
      await client.query('rollback')
      await client.query('begin')
      const { text, values } = settingsStatement([
        ['app.a', '1'],
        ['app.b', 'x'],
        ['app.a', '2'],
      ])
      await client.query(text, [...values])
      expect((await client.query(`select current_setting('app.a') as a`)).rows).toEqual([{ a: '2' }])
    } finally {
      await client.query('rollback')
      client.release()
    }
  })

  it('calls the pre-request function in the settings statement: as the role just set, after every setting', async () => {
    const token = await signToken({ sub: 'u1', role: 'authenticated' })
    for (const pipeline of [true, false]) {
      const claims = createClaims({ secret: TEST_SECRET, roles, preRequest: 'public.record_call' })
      const db = claimsPool(await proxiedPool(pipeline), claims)
      const { rows } = await db
        .withClaims(token, call)
        .transaction((client) => client.query(`select current_setting('app.pre_request_saw') as saw`))
      expect(rows).toEqual([{ saw: 'authenticated u1 2s' }])
    }
  })

  it('types a role error as a role error when a pre-request function is configured', async () => {
    const claims = createClaims({
      secret: TEST_SECRET,
      roles: { default: 'anon', allowed: ['anon', 'authenticated', 'not_granted', 'no_such_role'] },
      preRequest: 'public.gate',
    })
    for (const pipeline of [true, false]) {
      const db = claimsPool(await proxiedPool(pipeline), claims)
      for (const [role, code] of [
        ['not_granted', 'ROLE_NOT_GRANTED'],
        ['no_such_role', 'ROLE_UNKNOWN'],
      ] as const) {
        const error = await db
          .withClaims(await signToken({ sub: 'u1', role }))
          .query('select 1')
          .catch((caught: unknown) => caught)
        expect(error, `${role}, pipelined: ${pipeline}`).toMatchObject({ code })
      }
    }
  })

  it('needs EXECUTE on the pre-request function for the login role, and says so', async () => {
    const claims = createClaims({ secret: TEST_SECRET, roles, preRequest: 'public.gate_private' })
    const admin = new pg.Client({ connectionString: database.adminUrl })
    await admin.connect()
    try {
      for (const pipeline of [true, false]) {
        const db = claimsPool(await proxiedPool(pipeline), claims)
        const error = await db
          .withClaims(null)
          .query(`insert into probe (note) values ('never')`)
          .catch((caught: unknown) => caught)
        expect(error).toMatchObject({ code: 'PRE_REQUEST_FAILED', sqlstate: '42501', status: 403 })
        expect((error as Error).message).toContain('GRANT EXECUTE ON FUNCTION')
      }
      await admin.query('grant execute on function public.gate_private() to authenticator')
      const db = claimsPool(await proxiedPool(true), claims)
      expect((await db.withClaims(null).query('select count(*)::int as n from probe')).rows).toEqual([
        { n: 0 },
      ])
    } finally {
      await admin.query('revoke execute on function public.gate_private() from authenticator')
      await admin.end()
    }
  })

  it('reports a missing pre-request function as PRE_REQUEST_FAILED (42883)', async () => {
    const claims = createClaims({ secret: TEST_SECRET, roles, preRequest: 'public.missing' })
    for (const pipeline of [true, false]) {
      const error = await claimsPool(await proxiedPool(pipeline), claims)
        .withClaims(null)
        .query('select 1')
        .catch((caught: unknown) => caught)
      expect(error).toMatchObject({ code: 'PRE_REQUEST_FAILED', sqlstate: '42883', status: 500 })
    }
  })

  it('reads role settings again once refreshMs has passed, in the background', async () => {
    const admin = new pg.Client({ connectionString: database.adminUrl })
    await admin.connect()
    try {
      const claims = createClaims({ secret: TEST_SECRET, roles, roleSettings: { source, refreshMs: 0 } })
      const db = claimsPool(await proxiedPool(true), claims)
      const timeout = async () =>
        (await db.withClaims(null).query(`select current_setting('statement_timeout') as t`)).rows[0]!.t
      expect(await timeout()).toBe('0')
      await admin.query(`alter role anon in database ${database.name} set statement_timeout = '3s'`)
      await timeout() // starts the new read, in the background
      let seen = await timeout()
      for (let tries = 0; seen !== '3s' && tries < 50; tries += 1) {
        await new Promise((resolve) => setTimeout(resolve, 100))
        seen = await timeout()
      }
      expect(seen).toBe('3s')
    } finally {
      await admin.query(`alter role anon in database ${database.name} reset statement_timeout`)
      await admin.end()
    }
  })

  it('rejects the transaction when the first read fails, and reads again next time', async () => {
    let reads = 0
    const flaky = {
      query: (text: string) => {
        reads += 1
        return reads === 1 ? Promise.reject(new Error('database down')) : source.query(text)
      },
    }
    const claims = createClaims({ secret: TEST_SECRET, roles, roleSettings: { source: flaky } })
    const db = claimsPool(await proxiedPool(true), claims)
    await expect(db.withClaims(null).query('select 1')).rejects.toThrow('database down')
    expect((await db.withClaims(null).query('select 1 as one')).rows).toEqual([{ one: 1 }])
    expect(reads).toBe(2)
  })

  it('needs roles for roleSettings, and refuses a bad call setting before taking a connection', async () => {
    expect(() => createClaims({ secret: TEST_SECRET, roleSettings: { source } })).toThrow(
      expect.objectContaining({ code: 'CONFIG_INVALID' }),
    )
    const pool = await proxiedPool(true)
    const idle = pool.totalCount
    const error = await claimsPool(pool, parity())
      .withClaims(null, { settings: { work_mem: '1GB' } })
      .query('select 1')
      .catch((caught: unknown) => caught)
    expect(isPgClaimsError(error, 'SETTING_INVALID')).toBe(true)
    expect(pool.totalCount).toBe(idle)
  })
})
