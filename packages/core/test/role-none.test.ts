import { claimsPool, createClaims, installHelpers } from '@pg-claims/core'
import { createTestDatabase, roles, signToken, TEST_SECRET, type TestDatabase } from '@pg-claims/testing'
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

describe("role 'none' (set_config('role', 'none') means: no role switch)", () => {
  const everyRole = createClaims({ secret: TEST_SECRET, roles: { allowed: () => true } })

  it.each(['none', 'NONE', 'None'])(
    'refuses a token with role %j even when a predicate allows every role',
    async (role) => {
      const scope = claimsPool(pool, everyRole).withClaims(await signToken({ sub: 'x', role }))
      await expect(scope.query('select current_user')).rejects.toMatchObject({
        name: 'PgClaimsError',
        code: 'ROLE_NOT_ALLOWED',
      })
    },
  )

  it("is what PostgreSQL reads as 'no switch': the login role would stay", async () => {
    const client = await pool.connect()
    try {
      await client.query('begin')
      const { rows } = await client.query(`select set_config('role', 'none', true), current_user as who`)
      expect(rows[0].who).toBe(roles.authenticator)
      await client.query('rollback')
    } finally {
      client.release()
    }
  })

  it('refuses none in a roles.allowed list or as roles.default at createClaims', () => {
    for (const options of [{ allowed: ['anon', 'none'] }, { default: 'None', allowed: () => true }]) {
      expect(() => createClaims({ secret: TEST_SECRET, roles: options })).toThrow(
        expect.objectContaining({ code: 'CONFIG_INVALID', message: expect.stringMatching(/none/) }),
      )
    }
  })
})
