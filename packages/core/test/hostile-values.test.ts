import { claimsPool, createClaims, installHelpers } from '@pg-claims/core'
import { quoteLiteral } from '@pg-claims/core/adapter'
import { createTestDatabase, signToken, TEST_SECRET, type TestDatabase } from '@pg-claims/testing'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

/** Values that break naive quoting, encodings or limits. Each must come back exactly. */
const HOSTILE = [
  "'",
  "''",
  "'; drop table x; --",
  '\\',
  "\\'",
  "\\'; select 1; --",
  '$$',
  '$tag$ $$ $tag$',
  '"',
  '%s %d %',
  '\n\r\t\b\f\v',
  '\u0001\u001f\u007f',
  'ünïcödé',
  '日本語テキスト',
  '👩‍👩‍👧‍👦🏳️‍🌈',
  '\u200b\u200d\ufeff',
  '\ud83d\ude00',
  "E'x'",
  'x'.repeat(100_000),
  '🙂'.repeat(50_000),
] as const

let database: TestDatabase
let pool: pg.Pool

beforeAll(async () => {
  database = await createTestDatabase({ setup: (admin) => installHelpers(admin) })
  pool = new pg.Pool({ connectionString: database.url, max: 2 })
})

afterAll(async () => {
  await pool.end()
  await database.drop()
})

describe('the hostile-value corpus', () => {
  it.each(
    HOSTILE.map((value) => [value.length > 40 ? `${value.slice(0, 20)}… (${value.length})` : value, value]),
  )('quoteLiteral round-trips %j, with standard_conforming_strings on and off', async (_label, value) => {
    for (const conforming of ['on', 'off']) {
      const client = await pool.connect()
      try {
        await client.query(`set standard_conforming_strings = ${conforming}`)
        const { rows } = await client.query(`select ${quoteLiteral(value)} as v`)
        expect(rows[0].v).toBe(value)
      } finally {
        await client.query('reset standard_conforming_strings')
        client.release()
      }
    }
  })

  it.each([
    ['SJIS', '\u3041'], // UTF-8 e3 81 81: SJIS pairs e3 81, then 81 swallows the backslash
    ['GBK', '\u3041'],
    ['BIG5', '\u4861'], // UTF-8 e4 a1 a1: BIG5 pairs e4 a1, then a1 swallows the backslash
  ])(
    'keeps a literal closed under client_encoding %s with backslash_quote on',
    async (encoding, character) => {
      // One multibyte character whose last byte reads as a lead byte in `encoding`, then \' : an
      // escaping that doubles the backslash lets the lead byte swallow one, and \' closes the literal.
      const attack = `${character}\\', true), pg_catalog.set_config($$jwt.claims.pwned$$, $$yes$$, true) --`
      const client = await pool.connect()
      try {
        await client.query(
          `set client_encoding = ${encoding}; set backslash_quote = on; set standard_conforming_strings = off`,
        )
        await client.query('begin')
        await client.query(`select from pg_catalog.set_config('jwt.claims.v', ${quoteLiteral(attack)}, true)`)
        const { rows } = await client.query(
          `select encode(convert_to(current_setting('jwt.claims.v'), 'UTF8'), 'hex') as v,
                current_setting('jwt.claims.pwned', true) as pwned`,
        )
        expect(rows[0]).toEqual({ v: Buffer.from(attack).toString('hex'), pwned: null })
      } finally {
        await client.query('rollback; reset all')
        client.release()
      }
    },
  )

  it('round-trips every value as a claim, a claim name and a role-free setting', async () => {
    const claims = createClaims({ secret: TEST_SECRET, maxTokenSize: 2_000_000 })
    const payload = Object.fromEntries(HOSTILE.map((value, index) => [`c${index}`, value]))
    const weirdNames = Object.fromEntries(HOSTILE.slice(0, 17).map((value, index) => [value, index]))
    const token = await signToken({ ...payload, ...weirdNames })
    const row = await claimsPool(pool, claims)
      .withClaims(token)
      .transaction(async (client) => {
        const perClaim = HOSTILE.map(
          (_, index) => `current_setting('jwt.claims.c${index}') as c${index}`,
        ).join(', ')
        return (await client.query(`select auth.session() as session, ${perClaim}`)).rows[0]
      })
    for (const [name, value] of Object.entries(payload)) expect(row[name]).toBe(value)
    for (const [name, value] of Object.entries({ ...payload, ...weirdNames }))
      expect(row.session[name]).toEqual(value)
  })

  it('refuses a NUL character with VALUE_NOT_STORABLE and takes no connection', async () => {
    const claims = createClaims({ secret: TEST_SECRET })
    const counting = new pg.Pool({ connectionString: database.url })
    for (const payload of [
      { sub: 'a\u0000b' },
      { 'a\u0000b': 1 },
      { nested: ['ok', { deeper: '\u0000' }] },
    ]) {
      await expect(
        claimsPool(counting, claims)
          .withClaims(await signToken(payload))
          .query('select 1'),
      ).rejects.toMatchObject({
        code: 'VALUE_NOT_STORABLE',
      })
    }
    expect(counting.totalCount).toBe(0)
    await counting.end()
  })
})
