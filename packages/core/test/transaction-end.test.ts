import { claimsPool, createClaims, installHelpers, isPgClaimsError } from '@pg-claims/core'
import { createTestDatabase, signToken, TEST_SECRET, type TestDatabase } from '@pg-claims/testing'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

// What the conformance suite asks of every adapter (a statement of the work that COMMITs ends the
// call with TRANSACTION_ENDED_EARLY, and nothing after it runs), here in the detail only the pg
// driver can give: every statement that ends a transaction, and the ones that must not count.

const claims = createClaims({
  secret: TEST_SECRET,
  roles: { default: 'anon', allowed: ['anon', 'authenticated'] },
})

let database: TestDatabase
const pools: pg.Pool[] = []

beforeAll(async () => {
  database = await createTestDatabase({
    setup: async (admin) => {
      await installHelpers(admin)
      // whatever ran, as whichever role, leaves its row here
      await admin.query(`create table escapes (who text not null default current_user, note text);
        grant select, insert on escapes to public`)
    },
  })
})

afterAll(async () => {
  await Promise.all(pools.map((pool) => pool.end()))
  await database?.drop()
})

async function codeOf(promise: Promise<unknown>): Promise<string> {
  return promise.then(
    () => 'no error',
    (error: unknown) => (isPgClaimsError(error) ? error.code : String(error)),
  )
}

for (const pipeline of [false, true]) {
  describe(`a statement of the work that ends the transaction, ${pipeline ? 'pipelined pool' : 'pool'}`, () => {
    let pool: pg.Pool
    let db: ReturnType<typeof claimsPool>

    beforeAll(() => {
      pool = new pg.Pool({ connectionString: database.url, max: 1, pipeline })
      pools.push(pool)
      db = claimsPool(pool, claims)
    })

    const pid = async () => (await pool.query<{ pid: number }>('select pg_backend_pid() as pid')).rows[0]!.pid
    const escapes = async (note: string) =>
      (await pool.query('select who from escapes where note = $1', [note])).rows as { who: string }[]

    for (const statement of ['commit', 'end', 'rollback', 'abort', 'commit and chain']) {
      it(`${statement}: is answered TRANSACTION_ENDED_EARLY, refuses what follows, and costs its connection`, async () => {
        const before = await pid()
        const note = `after ${statement} (${pipeline})`
        let ending = 'not sent'
        let after = 'not sent'
        const code = await codeOf(
          db
            .withClaims(await signToken({ sub: 'olga', role: 'authenticated' }))
            .transaction(async (client) => {
              ending = await codeOf(client.query(statement))
              after = await codeOf(client.query('insert into escapes (note) values ($1)', [note]))
              return 'done'
            }),
        )
        expect({ code, ending, after }).toEqual({
          code: 'TRANSACTION_ENDED_EARLY',
          ending: 'TRANSACTION_ENDED_EARLY',
          after: 'TRANSACTION_ENDED',
        })
        expect(await escapes(note)).toEqual([])
        expect(await pid()).not.toBe(before)
      })
    }

    it('savepoints are not an end: SAVEPOINT, ROLLBACK TO SAVEPOINT and RELEASE SAVEPOINT commit as usual', async () => {
      const note = `savepoints (${pipeline})`
      await db
        .withClaims(await signToken({ sub: 'pia', role: 'authenticated' }))
        .transaction(async (client) => {
          await client.query('savepoint a')
          await client.query('insert into escapes (note) values ($1)', ['rolled back'])
          await client.query('rollback to savepoint a')
          await client.query('insert into escapes (note) values ($1)', [note])
          await client.query('release savepoint a')
        })
      expect(await escapes(note)).toEqual([{ who: 'authenticated' }])
      expect(await escapes('rolled back')).toEqual([])
    })

    it('a statement sent unawaited behind a COMMIT may already have run: the call still fails loudly', async () => {
      const note = `unawaited (${pipeline})`
      const code = await codeOf(
        db
          .withClaims(await signToken({ sub: 'quinn', role: 'authenticated' }))
          .transaction(async (client) => {
            await Promise.allSettled([
              client.query('commit'),
              client.query('insert into escapes (note) values ($1)', [note]),
            ])
          }),
      )
      expect(code).toBe('TRANSACTION_ENDED_EARLY')
      // pipelined, both left in one flight and the insert ran after the COMMIT, as the login role;
      // otherwise pg waited for the COMMIT's answer, and the lease refused the insert
      expect(await escapes(note)).toEqual(pipeline ? [{ who: 'authenticator' }] : [])
    })
  })
}

describe('a text of several statements in a transaction', () => {
  it('runs as one simple-protocol message on a pool that does not pipeline: what follows its COMMIT has run, and the call fails loudly', async () => {
    const pool = new pg.Pool({ connectionString: database.url, max: 1 })
    pools.push(pool)
    const code = await codeOf(
      claimsPool(pool, claims)
        .withClaims(await signToken({ sub: 'rosa', role: 'authenticated' }))
        .transaction((client) => client.query(`commit; insert into escapes (note) values ('in one text')`)),
    )
    expect(code).toBe('TRANSACTION_ENDED_EARLY')
    expect((await pool.query(`select who from escapes where note = 'in one text'`)).rows).toEqual([
      { who: 'authenticator' },
    ])
  })
})
