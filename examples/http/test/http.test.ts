import { createTestDatabase, lintFindings, signToken, type TestDatabase } from '@pg-claims/testing'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createApp } from '../src/app.js'
import { EXAMPLE_AUDIENCE, EXAMPLE_SECRET, exampleClaims, mintToken } from '../src/claims.js'
import { createSchema } from '../src/schema.js'
import { listen, type RunningServer } from '../src/server.js'

describe('the HTTP example, end to end over HTTP', () => {
  let database: TestDatabase
  let pool: pg.Pool
  let server: RunningServer
  let alice: string
  let bob: string

  beforeAll(async () => {
    database = await createTestDatabase({ setup: (admin) => createSchema(admin) })
    pool = new pg.Pool({ connectionString: database.url, max: 4, pipeline: true })
    server = await listen(createApp({ pool, claims: exampleClaims() }), { port: 0 })
    alice = await mintToken({ sub: 'alice', role: 'authenticated' })
    bob = await mintToken({ sub: 'bob', role: 'authenticated' })
  })
  afterAll(async () => {
    await server?.close()
    await pool?.end()
    await database?.drop()
  })

  async function request(
    method: 'GET' | 'POST',
    path: string,
    options: { token?: string; authorization?: string; body?: unknown } = {},
  ) {
    const headers: Record<string, string> = {}
    if (options.token !== undefined) headers.authorization = `Bearer ${options.token}`
    if (options.authorization !== undefined) headers.authorization = options.authorization
    if (options.body !== undefined) headers['content-type'] = 'application/json'
    const response = await fetch(`${server.url}${path}`, {
      method,
      headers,
      ...(options.body !== undefined && {
        body: typeof options.body === 'string' ? options.body : JSON.stringify(options.body),
      }),
    })
    return { status: response.status, headers: response.headers, body: (await response.json()) as unknown }
  }

  it('its schema passes pg-claims lint with no error', async () => {
    // anon's select grant without a policy is deliberate (it sees no rows); notes.owner has no index
    expect(await lintFindings(database.url)).toEqual([
      { id: 'no_policy_for_role', severity: 'warning', object: 'table public.notes' },
      { id: 'policy_column_unindexed', severity: 'warning', object: 'column public.notes.owner' },
    ])
  })

  it('listens on loopback', () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
  })

  it('POST /notes inserts a note owned by the token subject (auth.user_id() default)', async () => {
    const created = await request('POST', '/notes', { token: alice, body: { body: 'alice: buy milk' } })
    expect(created).toMatchObject({
      status: 201,
      body: { id: expect.any(Number), owner: 'alice', body: 'alice: buy milk' },
    })
    expect(
      (await request('POST', '/notes', { token: alice, body: { body: 'alice: call mum' } })).status,
    ).toBe(201)
    expect(
      (await request('POST', '/notes', { token: bob, body: { body: 'bob: fix the bike' } })).status,
    ).toBe(201)
  })

  it('GET /notes shows each user only their own notes', async () => {
    const aliceNotes = await request('GET', '/notes', { token: alice })
    expect(aliceNotes.status).toBe(200)
    expect(aliceNotes.body).toEqual([
      { id: expect.any(Number), owner: 'alice', body: 'alice: buy milk' },
      { id: expect.any(Number), owner: 'alice', body: 'alice: call mum' },
    ])
    const bobNotes = await request('GET', '/notes', { token: bob })
    expect(bobNotes.body).toEqual([{ id: expect.any(Number), owner: 'bob', body: 'bob: fix the bike' }])
    // without claims, the login role (authenticator, NOINHERIT) may not read the table at all
    await expect(pool.query('select count(*) from notes')).rejects.toMatchObject({ code: '42501' })
  })

  it('an anonymous caller sees no notes', async () => {
    const anonymous = await request('GET', '/notes')
    expect(anonymous).toMatchObject({ status: 200, body: [] })
  })

  it('an anonymous caller cannot insert: 42501 as 401 with WWW-Authenticate: Bearer', async () => {
    const refused = await request('POST', '/notes', { body: { body: 'spam' } })
    expect(refused.status).toBe(401)
    expect(refused.body).toEqual({ code: '42501', message: expect.stringContaining('permission denied') })
    expect(refused.headers.get('www-authenticate')).toBe('Bearer')
  })

  it('an authenticated caller cannot write as someone else: the RLS check (42501) is a 403', async () => {
    const refused = await request('POST', '/notes', { token: alice, body: { body: 'forged', owner: 'bob' } })
    expect(refused.status).toBe(403)
    expect(refused.body).toEqual({ code: '42501', message: expect.stringContaining('row-level security') })
    expect(refused.headers.get('www-authenticate')).toBeNull()
    expect((await request('GET', '/notes', { token: bob })).body).toHaveLength(1)
  })

  it('GET /me shows the role, user id and claims as the database sees them', async () => {
    const me = await request('GET', '/me', { token: alice })
    expect(me.status).toBe(200)
    expect(me.body).toEqual({
      role: 'authenticated',
      userId: 'alice',
      claims: {
        sub: 'alice',
        role: 'authenticated',
        aud: EXAMPLE_AUDIENCE,
        iat: expect.any(Number),
        exp: expect.any(Number),
      },
    })
    expect((await request('GET', '/me')).body).toEqual({
      role: 'anon',
      userId: null,
      claims: { role: 'anon' },
    })
  })

  describe('bad tokens get 401 with the pg-claims code and WWW-Authenticate: Bearer error="invalid_token"', () => {
    const now = () => Math.floor(Date.now() / 1000)
    it.each([
      [
        'expired',
        () =>
          signToken(
            { sub: 'alice', role: 'authenticated', aud: EXAMPLE_AUDIENCE, exp: now() - 120 },
            { key: EXAMPLE_SECRET },
          ),
        'TOKEN_EXPIRED',
      ],
      ['forged', async () => `${alice.slice(0, -4)}AAAA`, 'TOKEN_SIGNATURE_INVALID'],
      [
        'signed with another secret',
        () => mintToken({ sub: 'alice', role: 'authenticated' }, 'another-secret-that-is-32-bytes-or-more'),
        'TOKEN_SIGNATURE_INVALID',
      ],
      ['malformed', async () => 'not-a-jwt', 'TOKEN_MALFORMED'],
      [
        'for another audience',
        () => signToken({ sub: 'alice', aud: 'other' }, { key: EXAMPLE_SECRET }),
        'CLAIM_INVALID',
      ],
    ])('%s', async (_name, makeToken, code) => {
      for (const [method, path] of [
        ['GET', '/notes'],
        ['POST', '/notes'],
        ['GET', '/me'],
      ] as const) {
        const refused = await request(method, path, {
          token: await makeToken(),
          body: method === 'POST' ? { body: 'x' } : undefined,
        })
        expect(refused.status).toBe(401)
        expect(refused.body).toEqual({ code, message: expect.any(String) })
        expect(refused.headers.get('www-authenticate')).toBe('Bearer error="invalid_token"')
      }
    })

    it('an Authorization header that is not Bearer', async () => {
      const refused = await request('GET', '/notes', { authorization: 'Basic YWxpY2U6c2VjcmV0' })
      expect(refused.status).toBe(401)
      expect(refused.body).toEqual({ code: 'TOKEN_MALFORMED', message: expect.stringContaining('Bearer') })
      expect(refused.headers.get('www-authenticate')).toBe('Bearer error="invalid_token"')
    })
  })

  it('a role outside the allow-list gets 403 ROLE_NOT_ALLOWED', async () => {
    for (const role of ['postgres', 'authenticator', 'service_role']) {
      const refused = await request('GET', '/notes', { token: await mintToken({ sub: 'alice', role }) })
      expect(refused.status).toBe(403)
      expect(refused.body).toEqual({ code: 'ROLE_NOT_ALLOWED', message: expect.any(String) })
      expect(refused.headers.get('www-authenticate')).toBeNull()
    }
  })

  it('a body that is not a note is a 400, and a constraint violation keeps its SQLSTATE', async () => {
    const notJson = await request('POST', '/notes', { token: alice, body: '{not json' })
    expect(notJson).toMatchObject({ status: 400, body: { code: 'BODY_INVALID' } })
    const noBody = await request('POST', '/notes', { token: alice, body: { text: 'x' } })
    expect(noBody).toMatchObject({ status: 400, body: { code: 'BODY_INVALID' } })
    const empty = await request('POST', '/notes', { token: alice, body: { body: '' } })
    expect(empty).toMatchObject({ status: 400, body: { code: '23514' } })
  })
})
