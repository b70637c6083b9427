import { createClaims } from '@pg-claims/core'
import { TEST_SECRET } from '@pg-claims/testing'
import { decodeProtectedHeader, jwtVerify } from 'jose'
import { describe, expect, it } from 'vitest'
import { runCli } from './run-cli.js'

const key = new TextEncoder().encode(TEST_SECRET)

async function mint(args: string[], env: Record<string, string> = {}): Promise<string> {
  const { code, stdout, stderr } = await runCli(['token', ...args], env)
  expect(stderr).toBe('')
  expect(code).toBe(0)
  expect(stdout).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+\n$/)
  return stdout.trim()
}

describe('pg-claims token', () => {
  it('mints an HS256 token with the claims, iat now and exp in an hour, that core accepts', async () => {
    const token = await mint(['--secret', TEST_SECRET, '--claims', '{"sub":"u1","role":"authenticated"}'])
    expect(decodeProtectedHeader(token)).toEqual({ alg: 'HS256', typ: 'JWT' })
    const claims = createClaims({ secret: TEST_SECRET, roles: { allowed: ['authenticated'] } })
    const context = await claims.resolve(token)
    expect(context.role).toBe('authenticated')
    const payload = context.payload!
    expect(payload.sub).toBe('u1')
    const now = Math.floor(Date.now() / 1000)
    expect(payload.iat).toBeGreaterThanOrEqual(now - 5)
    expect(payload.iat).toBeLessThanOrEqual(now)
    // jose reads the clock again for exp: a second may tick between iat and exp
    expect(payload.exp! - payload.iat!).toBeGreaterThanOrEqual(3600)
    expect(payload.exp! - payload.iat!).toBeLessThanOrEqual(3601)
  })

  it('sets --alg, --expires-in, --audience (repeatable) and --issuer', async () => {
    const token = await mint([
      '--secret',
      TEST_SECRET,
      '--alg',
      'HS512',
      '--expires-in',
      '15m',
      '--audience',
      'api',
      '--audience',
      'admin',
      '--issuer',
      'https://auth.example',
    ])
    const { payload, protectedHeader } = await jwtVerify(token, key, {
      audience: 'admin',
      issuer: 'https://auth.example',
    })
    expect(protectedHeader.alg).toBe('HS512')
    expect(payload.aud).toEqual(['api', 'admin'])
    expect(payload.exp! - payload.iat!).toBeGreaterThanOrEqual(900)
    expect(payload.exp! - payload.iat!).toBeLessThanOrEqual(901)
  })

  it('keeps iat and exp given in --claims unless --expires-in is given', async () => {
    const now = Math.floor(Date.now() / 1000)
    const kept = await mint([
      '--secret',
      TEST_SECRET,
      '--claims',
      JSON.stringify({ iat: now - 10, exp: now + 60 }),
    ])
    expect((await jwtVerify(kept, key)).payload).toMatchObject({ iat: now - 10, exp: now + 60 })
    const overridden = await mint([
      '--secret',
      TEST_SECRET,
      '--claims',
      JSON.stringify({ exp: now + 60 }),
      '--expires-in',
      '2h',
    ])
    expect((await jwtVerify(overridden, key)).payload.exp).toBeGreaterThanOrEqual(now + 7200)
  })

  it('reads the secret from JWT_SECRET', async () => {
    const token = await mint(['--claims', '{"sub":"env"}'], { JWT_SECRET: TEST_SECRET })
    expect((await jwtVerify(token, key)).payload.sub).toBe('env')
  })

  it.each([
    [[], 'error USAGE: token needs --secret <secret> or the JWT_SECRET environment variable'],
    [['--secret', TEST_SECRET, '--alg', 'RS256'], 'error USAGE: --alg must be HS256, HS384 or HS512'],
    [['--secret', TEST_SECRET, '--alg', 'none'], 'error USAGE: --alg must be HS256, HS384 or HS512'],
    [['--secret', 'too-short'], 'error CONFIG_INVALID: secret must be at least 32 bytes'],
    [['--secret', 'a'.repeat(64)], 'error CONFIG_INVALID: secret has too little variety'],
    [
      ['--secret=-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE\n-----END PUBLIC KEY-----'],
      'error CONFIG_INVALID: secret is a PEM key',
    ],
    [['--secret', TEST_SECRET, '--claims', '{sub: u1}'], 'error USAGE: --claims is not JSON'],
    [['--secret', TEST_SECRET, '--claims', '["u1"]'], 'error USAGE: --claims must be a JSON object'],
    [['--secret', TEST_SECRET, '--expires-in', 'soon'], 'error USAGE: --expires-in must be a time span'],
  ])('refuses %j as a usage error (exit 2)', async (args, message) => {
    const { code, stdout, stderr } = await runCli(['token', ...args])
    expect(code).toBe(2)
    expect(stdout).toBe('')
    expect(stderr.startsWith(message)).toBe(true)
  })

  it('refuses claims PostgreSQL cannot store unchanged (VALUE_NOT_STORABLE, exit 1)', async () => {
    const { code, stdout, stderr } = await runCli([
      'token',
      '--secret',
      TEST_SECRET,
      '--claims',
      JSON.stringify({ sub: 'nul\u0000byte' }),
    ])
    expect(code).toBe(1)
    expect(stdout).toBe('')
    expect(stderr).toMatch(/^error VALUE_NOT_STORABLE: /)
  })
})
