import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createClaims } from '@pg-claims/core'
import { createTestDatabase, signToken, TEST_SECRET, testKeyPairs } from '@pg-claims/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runCli } from './run-cli.js'

const roleFlags = ['--allowed-roles', 'anon,authenticated', '--default-role', 'anon']

describe('pg-claims explain', () => {
  let dir: string
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'pg-claims-cli-'))
  })
  afterAll(() => rm(dir, { recursive: true, force: true }))

  it('prints the claims, the role and every setting in the order core applies them', async () => {
    const token = await signToken({ sub: 'u1', role: 'authenticated', email: 'u1@example.com' })
    const { code, stdout, stderr } = await runCli(['explain', token, '--secret', TEST_SECRET, ...roleFlags])
    expect(stderr).toBe('')
    expect(code).toBe(0)
    expect(stdout).toMatch(/^token: valid \(HS256\)\nrole: authenticated\n/)
    expect(stdout).toContain('    "email": "u1@example.com"\n')
    const context = await createClaims({
      secret: TEST_SECRET,
      roles: { allowed: ['anon', 'authenticated'], default: 'anon' },
    }).resolve(token)
    const settingLines = stdout
      .split('settings (transaction-local, in this order):\n')[1]!
      .split('\n\n')[0]!
      .split('\n')
      .map((line) => line.trim().split(/ {2,}/))
    expect(settingLines).toEqual(context.settings.map(([name, value]) => [name, value]))
    expect(settingLines.map(([name]) => name)).toEqual([
      'role',
      'request.jwt.claims',
      'jwt.claims.iat',
      'jwt.claims.exp',
      'jwt.claims.sub',
      'jwt.claims.role',
      'jwt.claims.email',
    ])
    expect(stdout).toContain(
      `sql (sent with BEGIN on a pool without pipelining; a pipelined pool binds the same settings as parameters):\n  ${context.settingsSql}\n`,
    )
    expect(stdout).not.toContain('left out')
  })

  it('--json prints context.settings, the role, the claims and the SQL as one JSON document', async () => {
    const token = await signToken({ sub: 'u1', role: 'authenticated', 'https://x.example/roles': ['a'] })
    const { code, stdout } = await runCli(['explain', token, '--secret', TEST_SECRET, ...roleFlags, '--json'])
    expect(code).toBe(0)
    const context = await createClaims({
      secret: TEST_SECRET,
      roles: { allowed: ['anon', 'authenticated'], default: 'anon' },
    }).resolve(token)
    expect(JSON.parse(stdout)).toEqual({
      valid: true,
      algorithm: 'HS256',
      role: 'authenticated',
      claims: context.payload,
      settings: context.settings.map(([name, value]) => ({ name, value })),
      skippedClaims: [{ name: 'https://x.example/roles', reason: 'invalid-name' }],
      sql: context.settingsSql,
    })
  })

  it('reports claims left out of jwt.claims.* in the text output', async () => {
    const token = await signToken({ sub: 'u1', 'foo-bar': 1 })
    const { stdout } = await runCli(['explain', token, '--secret', TEST_SECRET])
    expect(stdout).toContain(
      'claims left out of jwt.claims.* (still in request.jwt.claims):\n  "foo-bar": invalid-name\n',
    )
  })

  it('uses --default-role and --role-claim paths', async () => {
    const noRole = await signToken({ sub: 'u1' })
    const anon = await runCli(['explain', noRole, '--secret', TEST_SECRET, ...roleFlags, '--json'])
    expect(JSON.parse(anon.stdout).role).toBe('anon')

    const nested = await signToken({ sub: 'u1', app_metadata: { role: 'authenticated' } })
    const { stdout } = await runCli([
      'explain',
      nested,
      '--secret',
      TEST_SECRET,
      '--role-claim',
      'app_metadata.role',
      '--allowed-roles',
      'authenticated',
      '--json',
    ])
    expect(JSON.parse(stdout).role).toBe('authenticated')
  })

  it('without --allowed-roles leaves the role unchanged and writes no role setting', async () => {
    const token = await signToken({ sub: 'u1', role: 'authenticated' })
    const text = await runCli(['explain', token, '--secret', TEST_SECRET])
    expect(text.stdout).toContain('role: (unchanged: role switching is off')
    const json = JSON.parse((await runCli(['explain', token, '--secret', TEST_SECRET, '--json'])).stdout)
    expect(json.role).toBeNull()
    expect(json.settings.map((setting: { name: string }) => setting.name)).not.toContain('role')
  })

  it('shows the PostgREST parity settings: role settings, request context, call settings, pre-request', async () => {
    const database = await createTestDatabase({
      setup: async (admin) => {
        await admin.query(`do $$ begin
          execute format('alter role authenticated in database %I set statement_timeout = %L', current_database(), '8s');
          execute format('alter role authenticated in database %I set log_statement = %L', current_database(), 'none');
        end $$`)
      },
    })
    try {
      const token = await signToken({ sub: 'u1', role: 'authenticated' })
      const args = ['explain', token, '--secret', TEST_SECRET, ...roleFlags, '--pre-request', 'api.check']
      const request = [
        '--method',
        'GET',
        '--path',
        '/notes',
        '--header',
        'X-App: web',
        '--cookie',
        'theme=dark',
      ]
      const call = [...request, '--setting', 'lock_timeout=2s', '--database-url', database.url]
      const { code, stdout, stderr } = await runCli([...args, ...call, '--json'])
      expect({ code, stderr }).toEqual({ code: 0, stderr: '' })
      const json = JSON.parse(stdout)
      expect(json.settings.map(({ name, value }: { name: string; value: string }) => [name, value])).toEqual([
        ['role', 'authenticated'],
        ['statement_timeout', '8s'],
        ['request.jwt.claims', expect.any(String)],
        ['jwt.claims.iat', expect.any(String)],
        ['jwt.claims.exp', expect.any(String)],
        ['jwt.claims.sub', 'u1'],
        ['jwt.claims.role', 'authenticated'],
        ['request.method', 'GET'],
        ['request.path', '/notes'],
        ['request.headers', '{"x-app":"web"}'],
        ['request.cookies', '{"theme":"dark"}'],
        ['lock_timeout', '2s'],
      ])
      expect(json.skippedRoleSettings).toEqual([{ name: 'log_statement', reason: 'not-user-settable' }])
      expect(json.sql).toMatch(
        /^SELECT "api"\."check"\(\) WHERE pg_catalog\.cardinality\(ARRAY\[pg_catalog\.set_config\(/,
      )
      const text = await runCli([...args, ...call])
      expect(text.stdout).toContain('role settings not applied:\n  log_statement: not-user-settable\n')
      const refused = await runCli([...args, '--setting', 'work_mem=1GB'])
      expect(refused.stderr).toMatch(/^error SETTING_INVALID: /)
    } finally {
      await database.drop()
    }
  })

  it('reads the secret from JWT_SECRET', async () => {
    const token = await signToken({ sub: 'u1' })
    const { code } = await runCli(['explain', token], { JWT_SECRET: TEST_SECRET })
    expect(code).toBe(0)
  })

  it('checks --audience, --issuer and --clock-tolerance', async () => {
    const token = await signToken({ sub: 'u1', aud: 'api', iss: 'https://auth.example' })
    const ok = await runCli([
      'explain',
      token,
      '--secret',
      TEST_SECRET,
      '--audience',
      'other',
      '--audience',
      'api',
      '--issuer',
      'https://auth.example',
    ])
    expect(ok.code).toBe(0)
    const wrongAudience = await runCli(['explain', token, '--secret', TEST_SECRET, '--audience', 'other'])
    expect(wrongAudience.code).toBe(1)
    expect(wrongAudience.stderr).toMatch(/^error CLAIM_INVALID: .*"aud"/)
    const wrongIssuer = await runCli(['explain', token, '--secret', TEST_SECRET, '--issuer', 'https://evil'])
    expect(wrongIssuer.stderr).toMatch(/^error CLAIM_INVALID: .*"iss"/)

    const now = Math.floor(Date.now() / 1000)
    const expired = await signToken({ sub: 'u1', exp: now - 120 })
    const refused = await runCli(['explain', expired, '--secret', TEST_SECRET])
    expect(refused.code).toBe(1)
    expect(refused.stderr).toMatch(/^error TOKEN_EXPIRED: /)
    const tolerated = await runCli(['explain', expired, '--secret', TEST_SECRET, '--clock-tolerance', '300'])
    expect(tolerated.code).toBe(0)
  })

  it.each([
    ['forged', async () => `${(await signToken({ sub: 'u1' })).slice(0, -4)}AAAA`, 'TOKEN_SIGNATURE_INVALID'],
    ['malformed', async () => 'not-a-jwt', 'TOKEN_MALFORMED'],
    [
      'signed with another secret',
      async () => signToken({ sub: 'u1' }, { key: 'x'.repeat(40) }),
      'TOKEN_SIGNATURE_INVALID',
    ],
    ['outside the allow-list', async () => signToken({ sub: 'u1', role: 'postgres' }), 'ROLE_NOT_ALLOWED'],
  ])('refuses a %s token with its code and exit code 1', async (_name, makeToken, errorCode) => {
    const token = await makeToken()
    const { code, stdout, stderr } = await runCli(['explain', token, '--secret', TEST_SECRET, ...roleFlags])
    expect(code).toBe(1)
    expect(stdout).toBe('')
    expect(stderr).toMatch(new RegExp(`^error ${errorCode}: .+\\n$`))
  })

  it('--json also describes a refused token on stdout', async () => {
    const token = await signToken({ sub: 'u1', role: 'postgres' })
    const { code, stdout, stderr } = await runCli([
      'explain',
      token,
      '--secret',
      TEST_SECRET,
      ...roleFlags,
      '--json',
    ])
    expect(code).toBe(1)
    expect(JSON.parse(stdout)).toEqual({
      valid: false,
      error: { code: 'ROLE_NOT_ALLOWED', status: 403, message: expect.any(String) },
    })
    expect(stderr).toMatch(/^error ROLE_NOT_ALLOWED: /)
  })

  describe('public keys', () => {
    const keys = testKeyPairs()

    it('--public-key-file takes a PEM public key', async () => {
      const file = join(dir, 'es256.pem')
      await writeFile(file, keys.es256.publicKey.export({ type: 'spki', format: 'pem' }))
      const token = await signToken({ sub: 'u1' }, { alg: 'ES256', key: keys.es256.privateKey })
      const { code, stdout } = await runCli(['explain', token, '--public-key-file', file])
      expect(code).toBe(0)
      expect(stdout).toMatch(/^token: valid \(ES256\)/)
      const otherKey = testKeyPairs().es256.privateKey
      const forged = await signToken({ sub: 'u1' }, { alg: 'ES256', key: otherKey })
      expect((await runCli(['explain', forged, '--public-key-file', file])).stderr).toMatch(
        /^error TOKEN_SIGNATURE_INVALID: /,
      )
    })

    it('--public-key-file takes a JWK and a JWK Set', async () => {
      const jwk = { ...keys.ed25519.publicKey.export({ format: 'jwk' }), kid: 'k1', alg: 'EdDSA' }
      const jwkFile = join(dir, 'ed25519.jwk.json')
      const jwksFile = join(dir, 'ed25519.jwks.json')
      await writeFile(jwkFile, JSON.stringify(jwk))
      await writeFile(jwksFile, JSON.stringify({ keys: [jwk] }))
      const token = await signToken({ sub: 'u1' }, { alg: 'EdDSA', key: keys.ed25519.privateKey, kid: 'k1' })
      expect((await runCli(['explain', token, '--public-key-file', jwkFile])).code).toBe(0)
      expect((await runCli(['explain', token, '--public-key-file', jwksFile])).code).toBe(0)
    })

    it('--jwks-url fetches the key set (http on loopback)', async () => {
      const jwk = { ...keys.rsa.publicKey.export({ format: 'jwk' }), kid: 'rsa-1', alg: 'RS256', use: 'sig' }
      const server: Server = createServer((_request, response) => {
        response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [jwk] }))
      })
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
      try {
        const { port } = server.address() as AddressInfo
        const url = `http://127.0.0.1:${port}/jwks.json`
        const token = await signToken({ sub: 'u1' }, { alg: 'RS256', key: keys.rsa.privateKey, kid: 'rsa-1' })
        const { code, stdout } = await runCli(['explain', token, '--jwks-url', url, '--json'])
        expect(code).toBe(0)
        expect(JSON.parse(stdout)).toMatchObject({ valid: true, algorithm: 'RS256', claims: { sub: 'u1' } })
        const unknownKid = await signToken(
          { sub: 'u1' },
          { alg: 'RS256', key: keys.rsa.privateKey, kid: 'other' },
        )
        expect((await runCli(['explain', unknownKid, '--jwks-url', url])).stderr).toMatch(
          /^error TOKEN_KEY_NOT_FOUND: /,
        )
      } finally {
        await new Promise((resolve) => server.close(resolve))
      }
    })

    it('refuses a plain-http JWKS URL off loopback as CONFIG_INVALID (exit 2)', async () => {
      const token = await signToken({ sub: 'u1' })
      const { code, stderr } = await runCli(['explain', token, '--jwks-url', 'http://keys.example/jwks.json'])
      expect(code).toBe(2)
      expect(stderr).toMatch(/^error CONFIG_INVALID: jwksUrl must use https/)
    })
  })

  it.each([
    [[], 'error USAGE: explain needs <token>'],
    [['a', 'b', '--secret', TEST_SECRET], 'error USAGE: unexpected argument "b"'],
    [['t'], 'error USAGE: explain needs a key'],
    [
      ['t', '--secret', TEST_SECRET, '--jwks-url', 'https://x'],
      'error USAGE: give one key, not --secret and --jwks-url',
    ],
    [
      ['t', '--secret', TEST_SECRET, '--default-role', 'anon'],
      'error USAGE: --default-role need --allowed-roles',
    ],
    [
      ['t', '--secret', TEST_SECRET, '--allowed-roles', ' , '],
      'error USAGE: --allowed-roles needs at least one role',
    ],
    [
      ['t', '--secret', TEST_SECRET, '--clock-tolerance', 'soon'],
      'error USAGE: --clock-tolerance must be a number',
    ],
    [['t', '--public-key-file', '/nonexistent/key.pem'], 'error USAGE: cannot read --public-key-file'],
    [['t', '--secret', 'short'], 'error CONFIG_INVALID: secret must be at least 32 bytes'],
    [
      ['t', '--secret', TEST_SECRET, '--allowed-roles', 'authenticated', '--default-role', 'anon'],
      'error CONFIG_INVALID: roles.default "anon" is not in roles.allowed',
    ],
  ])('refuses %j as a usage error (exit 2)', async (args, message) => {
    const { code, stdout, stderr } = await runCli(['explain', ...args])
    expect(code).toBe(2)
    expect(stdout).toBe('')
    expect(stderr.startsWith(message)).toBe(true)
  })
})
