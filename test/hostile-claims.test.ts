import { claimsPool, createClaims, installHelpers, isPgClaimsError } from '@pg-claims/core'
import { createTestDatabase, signToken, TEST_SECRET, type TestDatabase } from '@pg-claims/testing'
import fc from 'fast-check'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

let database: TestDatabase
let pool: pg.Pool
const claims = createClaims({
  secret: TEST_SECRET,
  maxTokenSize: 1_000_000,
  roles: { default: 'anon', allowed: ['anon', 'authenticated'] },
})

beforeAll(async () => {
  database = await createTestDatabase({ setup: (admin) => installHelpers(admin) })
  pool = new pg.Pool({ connectionString: database.url, max: 4 })
})
afterAll(async () => {
  await pool.end()
  await database.drop()
})

type Outcome = { kind: 'stored'; session: unknown; role: string } | { kind: 'rejected'; code: string }

async function roundTrip(payload: Record<string, unknown>): Promise<Outcome> {
  try {
    const row = await claimsPool(pool, claims)
      .withClaims(await signToken(payload))
      .transaction(
        async (client) =>
          (await client.query('select auth.session() as session, current_user as role')).rows[0],
      )
    return { kind: 'stored', session: row.session, role: row.role }
  } catch (error) {
    if (isPgClaimsError(error)) return { kind: 'rejected', code: error.code }
    throw error // anything else (a SQL error, an injection) fails the property
  }
}

/** What a NUL, a lone surrogate, or nesting past 64 makes of a value: it cannot be stored unchanged. */
function storable(value: unknown, depth = 0): boolean {
  if (typeof value === 'string') return !value.includes('\u0000') && value.isWellFormed()
  // an integer past 2^53 may already be a rounded one: refused, never stored changed
  if (typeof value === 'number') return !Number.isInteger(value) || Number.isSafeInteger(value)
  if (value === null || typeof value !== 'object') return true
  if (depth >= 64) return false
  return Object.entries(value).every(([key, child]) => storable(key) && storable(child, depth + 1))
}

const anyString = fc.string({ unit: 'binary', maxLength: 40 })
const jsonValue = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    anyString,
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    fc.integer(),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(anyString, tie('value'), { maxKeys: 4 }),
  ),
})).value
const claimsSet = fc.dictionary(
  fc.oneof(
    anyString,
    fc.constantFrom('sub', 'role', 'a.b', 'foo-bar', 'https://x.test/roles', 'x'.repeat(70), '$$', "'"),
  ),
  jsonValue,
  { maxKeys: 8 },
)

describe('hostile claims', () => {
  it('stores any JSON claims set exactly (with the effective role as `role`), or rejects it with a code', async () => {
    let stored = 0
    const rejected = new Map<string, number>()
    await fc.assert(
      fc.asyncProperty(claimsSet, async (generated) => {
        const now = Math.floor(Date.now() / 1000)
        const payload = { ...generated, iat: now, exp: now + 600 }
        // the effective role is written into the claims, as PostgREST writes it
        const carried = JSON.parse(JSON.stringify(payload))
        const outcome = await roundTrip(payload)
        if (outcome.kind === 'rejected') {
          rejected.set(outcome.code, (rejected.get(outcome.code) ?? 0) + 1)
          const roleProblem = 'role' in payload && payload.role !== 'anon' && payload.role !== 'authenticated'
          expect(roleProblem || !storable(payload), `rejected ${outcome.code} without a reason`).toBe(true)
          return
        }
        stored += 1
        expect(storable(payload)).toBe(true)
        expect(outcome.session).toEqual({ ...carried, role: outcome.role })
      }),
      { numRuns: 300 },
    )
    console.log(
      `hostile claims: 300 generated claims sets, ${stored} stored exactly, rejected: ${JSON.stringify(Object.fromEntries(rejected))}`,
    )
    expect(stored).toBeGreaterThan(100)
  })

  it.each([
    ['a role claim that is not a string', { role: 42 }, 'CLAIM_INVALID'],
    ['a role claim that is an array', { role: ['authenticated'] }, 'CLAIM_INVALID'],
    ['postgres as the role', { role: 'postgres' }, 'ROLE_NOT_ALLOWED'],
    ['a role outside the allow-list', { role: 'service_role' }, 'ROLE_NOT_ALLOWED'],
    ['a NUL in a claim', { sub: 'a\u0000' }, 'VALUE_NOT_STORABLE'],
    ['a lone surrogate in a claim name', { '\ud800': 1 }, 'VALUE_NOT_STORABLE'],
    ['nesting 100 deep', { deep: JSON.parse(`${'['.repeat(100)}${']'.repeat(100)}`) }, 'VALUE_NOT_STORABLE'],
  ])('rejects %s with %s, before any connection', async (_name, payload, code) => {
    const idle = pool.totalCount
    expect(await roundTrip(payload)).toEqual({ kind: 'rejected', code })
    expect(pool.totalCount).toBe(idle)
  })

  it('keeps claim names PostgreSQL rejects as settings in the JSON, and the token still works', async () => {
    const payload = {
      'a.b': 1,
      'foo-bar': 2,
      'https://x.test/roles': ['admin'],
      ['x'.repeat(70)]: 3,
      sub: 'u1',
    }
    const outcome = await roundTrip(payload)
    expect(outcome).toMatchObject({ kind: 'stored', role: 'anon', session: expect.objectContaining(payload) })
  })
})
