import { claimsPool, createClaims, installHelpers, type PgClaimsErrorCode } from '@pg-claims/core'
import { createTestDatabase, TEST_SECRET, type TestDatabase } from '@pg-claims/testing'
import { CompactSign } from 'jose'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

let database: TestDatabase
let pool: pg.Pool

beforeAll(async () => {
  database = await createTestDatabase({ setup: (admin) => installHelpers(admin) })
  pool = new pg.Pool({ connectionString: database.url, max: 1 })
})

afterAll(async () => {
  await pool.end()
  await database.drop()
})

/** Signs a payload given as JSON text, so numbers JavaScript cannot hold reach the token as written. */
async function tokenWithPayload(jsonMembers: string): Promise<string> {
  const now = Math.floor(Date.now() / 1000)
  const text = `{"iat":${now},"exp":${now + 3600},"sub":"u1",${jsonMembers}}`
  return new CompactSign(new TextEncoder().encode(text))
    .setProtectedHeader({ alg: 'HS256' })
    .sign(new TextEncoder().encode(TEST_SECRET))
}

async function refusal(promise: Promise<unknown>): Promise<{ code: PgClaimsErrorCode; message: string }> {
  const error = await promise.then(
    () => expect.unreachable('the claims were accepted'),
    (caught: unknown) => caught,
  )
  expect(error).toHaveProperty('name', 'PgClaimsError')
  return error as { code: PgClaimsErrorCode; message: string }
}

const SELECT_SETTINGS = `select current_setting('request.jwt.claims', true) as json,
  current_setting('jwt.claims.n', true) as text, auth.claim('n') as helper`

describe('numbers JSON parsing cannot hold exactly', () => {
  for (const jwtClaims of [true, false]) {
    const claims = createClaims({ secret: TEST_SECRET, settings: { jwtClaims } })
    const db = () => claimsPool(pool, claims)

    it.each([
      ['9007199254740993', 'a 64-bit integer past 2^53'],
      ['-9007199254740993', 'a negative one'],
      ['9223372036854775807', 'bigint max'],
      ['1e23', 'an exponent form JavaScript writes as 1e+23'],
      ['0.1000000000000000000001', 'a fraction with more digits than a double'],
      ['[1, {"deep": 12345678901234567890}]', 'a nested one'],
    ])(`refuses %s (%s) with VALUE_NOT_STORABLE (jwtClaims: ${jwtClaims})`, async (number) => {
      const token = await tokenWithPayload(`"n":${number}`)
      const error = await refusal(db().withClaims(token).query(SELECT_SETTINGS))
      expect(error.code).toBe('VALUE_NOT_STORABLE')
      expect(error.message).toMatch(/claims\.n/)
    })

    it(`stores numbers a double holds exactly, unchanged in both settings (jwtClaims: ${jwtClaims})`, async () => {
      for (const [source, text] of [
        ['9007199254740991', '9007199254740991'],
        ['-42', '-42'],
        ['1.5', '1.5'],
        ['0.1', '0.1'],
        ['2.50', '2.5'],
        ['1e-7', '1e-7'],
      ]) {
        const { rows } = await db()
          .withClaims(await tokenWithPayload(`"n":${source}`))
          .query(SELECT_SETTINGS)
        const row = rows[0]!
        expect(JSON.parse(row.json).n, source).toBe(Number(source))
        if (jwtClaims) expect(row.text, source).toBe(text)
        expect(Number(row.helper), source).toBe(Number(source))
      }
    })
  }

  it('leaves numbers inside strings alone, escaped quotes included', async () => {
    const claims = createClaims({ secret: TEST_SECRET })
    const token = await tokenWithPayload(String.raw`"n":"9007199254740993","q":"\" 1e23 \\","m":[1,2.5]`)
    const { rows } = await claimsPool(pool, claims)
      .withClaims(token)
      .query(`select current_setting('jwt.claims.n') as n, current_setting('jwt.claims.q') as q`)
    expect(rows[0]).toEqual({ n: '9007199254740993', q: '" 1e23 \\' })
  })

  it('resolveVerified refuses an integer past Number.MAX_SAFE_INTEGER', () => {
    const claims = createClaims({ secret: TEST_SECRET })
    expect(() => claims.resolveVerified({ sub: 'u1', org: { tenant_id: 2 ** 53 + 2 } })).toThrow(
      expect.objectContaining({
        code: 'VALUE_NOT_STORABLE',
        message: expect.stringMatching(/claims\.org\.tenant_id/),
      }),
    )
    expect(claims.resolveVerified({ sub: 'u1', n: Number.MAX_SAFE_INTEGER }).settings).toContainEqual([
      'jwt.claims.n',
      '9007199254740991',
    ])
  })
})
