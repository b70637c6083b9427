import { claimsPool, createClaims, installHelpers } from '@pg-claims/core'
import { createTestDatabase, TEST_SECRET, type TestDatabase } from '@pg-claims/testing'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

let database: TestDatabase
let pool: pg.Pool
const claims = createClaims({ secret: TEST_SECRET })

beforeAll(async () => {
  database = await createTestDatabase({ setup: (admin) => installHelpers(admin) })
  pool = new pg.Pool({ connectionString: database.url, max: 1 })
})

afterAll(async () => {
  await pool.end()
  await database.drop()
})

class Organization {
  constructor(readonly id: number) {}
}

const sparse: unknown[] = [1]
sparse[2] = 3
const withExtra = Object.assign([1, 2], { note: 'dropped by JSON' })
const withGetter = Object.defineProperty({}, 'id', { get: () => 1, enumerable: true })
const hidden = Object.defineProperty({ a: 1 }, 'secret', { value: 2, enumerable: false })

describe('withVerifiedClaims takes plain JSON data only (VALUE_NOT_STORABLE, naming the path)', () => {
  it.each([
    ['a Date', { sub: 'u1', org: { created: new Date(0) } }, 'claims.org.created'],
    ['a Map', { sub: 'u1', roles: new Map([['a', 1]]) }, 'claims.roles'],
    ['a Set', { sub: 'u1', tags: new Set(['a']) }, 'claims.tags'],
    ['a class instance', { sub: 'u1', org: new Organization(7) }, 'claims.org'],
    ['a typed array', { sub: 'u1', bytes: new Uint8Array([1]) }, 'claims.bytes'],
    ['a boxed string', { sub: new String('u1') }, 'claims.sub'],
    ['a sparse array', { sub: 'u1', list: sparse }, 'claims.list[1]'],
    ['undefined in an array', { sub: 'u1', list: [1, undefined] }, 'claims.list[1]'],
    ['an array with a named property', { sub: 'u1', list: withExtra }, 'claims.list.note'],
    ['a symbol key', { sub: 'u1', org: { [Symbol('k')]: 1 } }, 'claims.org'],
    ['a getter', { sub: 'u1', org: withGetter }, 'claims.org.id'],
    ['a non-enumerable property', { sub: 'u1', org: hidden }, 'claims.org.secret'],
    ['undefined', { sub: 'u1', gone: undefined }, 'claims.gone'],
    ['a bigint', { sub: 'u1', n: 1n }, 'claims.n'],
    ['a function', { sub: 'u1', f: () => 1 }, 'claims.f'],
  ])('refuses %s when the handle is made', (_name, verified, path) => {
    let error: unknown
    try {
      claimsPool(pool, claims).withVerifiedClaims(verified as never)
    } catch (caught) {
      error = caught
    }
    expect(error).toMatchObject({ name: 'PgClaimsError', code: 'VALUE_NOT_STORABLE' })
    expect((error as Error).message).toContain(path)
  })

  it('refuses a class instance at the top, and Object.create(null) objects are plain', async () => {
    expect(() => claims.resolveVerified(new Organization(1) as never)).toThrow(
      expect.objectContaining({ code: 'VALUE_NOT_STORABLE' }),
    )
    const bare = Object.assign(Object.create(null) as object, { sub: 'u1' })
    const { rows } = await claimsPool(pool, claims)
      .withVerifiedClaims(bare as never)
      .query(`select current_setting('jwt.claims.sub') as sub`)
    expect(rows[0]!.sub).toBe('u1')
  })

  it('stores plain data unchanged, -0 as 0', async () => {
    const verified = { sub: 'u1', org: { id: 7, tags: ['a', null, true] }, zero: -0 }
    const { rows } = await claimsPool(pool, claims)
      .withVerifiedClaims(verified)
      .query(`select current_setting('request.jwt.claims') as json`)
    expect(JSON.parse(rows[0]!.json)).toEqual({ ...verified, zero: 0 })
  })
})
