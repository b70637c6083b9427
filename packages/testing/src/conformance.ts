import {
  type Claims,
  createClaims,
  installHelpers,
  isPgClaimsError,
  type PgClaimsErrorCode,
} from '@pg-claims/core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTestDatabase, type TestDatabase } from './database.js'
import { signToken, TEST_SECRET } from './tokens.js'

/** A row as the adapter returns it. */
export type Row = Record<string, unknown>

/** Runs raw SQL through the adapter inside the current transaction and returns the rows. */
export type RunSql = (sql: string) => Promise<Row[]>

/**
 * One adapter wired to a database, as the conformance suite drives it. Every method goes through
 * the adapter's own public API (Kysely's `transaction().execute`, Drizzle's `transaction`, Prisma's
 * `$transaction`…), never around it.
 */
export interface AdapterUnderTest {
  /** Runs `work` in an explicit claims transaction for `token` (`null`: anonymous). */
  transaction<T>(token: string | null, work: (run: RunSql) => Promise<T>): Promise<T>
  /** Runs one statement directly, without an explicit transaction, for `token`. */
  query(token: string | null, sql: string): Promise<Row[]>
  /** Runs one statement through the same pool with no claims (the adapter's plain client). */
  plainQuery(sql: string): Promise<Row[]>
  /** How many connections the adapter's pool has opened so far. */
  connectionsOpened(): number
  /** Releases everything. */
  close(): Promise<void>
}

/** How to build an adapter for the suite. */
export interface ConformanceTarget {
  /** The adapter's name, for the test titles. */
  readonly name: string
  /**
   * Builds the adapter on `url` (the `authenticator` login role) with a pool of at most
   * `poolSize` connections, applying `claims`.
   */
  create(options: { url: string; claims: Claims; poolSize: number }): Promise<AdapterUnderTest>
}

/** The claims configuration the suite uses; adapters build on exactly this. */
export function conformanceClaims(): Claims {
  return createClaims({
    secret: TEST_SECRET,
    roles: { default: 'anon', allowed: ['anon', 'authenticated', 'conformance_missing_role'] },
  })
}

const token = (sub: string, extra: Record<string, unknown> = {}) =>
  signToken({ sub, role: 'authenticated', ...extra })

async function errorCode(promise: Promise<unknown>): Promise<PgClaimsErrorCode | string> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  )
  if (error === undefined) return 'no error'
  return isPgClaimsError(error) ? error.code : `not a PgClaimsError: ${String(error)}`
}

/**
 * Registers the conformance suite for one adapter: what every pg-claims adapter must do.
 * Call it at the top level of a test file.
 *
 * @example
 * ```ts
 * describeConformance({ name: 'kysely', create: async ({ url, claims, poolSize }) => … })
 * ```
 */
export function describeConformance(target: ConformanceTarget): void {
  describe(`conformance: ${target.name}`, () => {
    let database: TestDatabase
    let adapter: AdapterUnderTest

    beforeAll(async () => {
      database = await createTestDatabase({
        setup: async (admin) => {
          await installHelpers(admin)
          await admin.query(`
            create table conformance_notes (
              id serial primary key,
              owner text not null default auth.user_id(),
              body text not null
            );
            alter table conformance_notes enable row level security;
            grant select, insert on conformance_notes to authenticated;
            grant select on conformance_notes to anon;
            grant usage on sequence conformance_notes_id_seq to authenticated;
            create policy own_notes on conformance_notes to authenticated
              using (owner = (select auth.user_id())) with check (owner = (select auth.user_id()));
          `)
        },
      })
      adapter = await target.create({ url: database.url, claims: conformanceClaims(), poolSize: 1 })
    })

    afterAll(async () => {
      await adapter?.close()
      await database?.drop()
    })

    it('shows the claims and the role inside a transaction', async () => {
      const rows = await adapter.transaction(await token('alice', { org: { id: 7 } }), (run) =>
        run(`select current_user as role, auth.user_id() as uid, current_setting('jwt.claims.org') as org`),
      )
      expect(rows).toEqual([{ role: 'authenticated', uid: 'alice', org: '{"id":7}' }])
    })

    it('gives a direct query its own claims transaction', async () => {
      const rows = await adapter.query(
        await token('alice'),
        'select current_user as role, auth.user_id() as uid',
      )
      expect(rows).toEqual([{ role: 'authenticated', uid: 'alice' }])
    })

    it('leaves the connection with the login role and no claims afterwards', async () => {
      const [inside] = await adapter.transaction(await token('alice'), (run) =>
        run('select pg_backend_pid() as pid'),
      )
      await adapter.query(await token('alice'), 'select 1')
      const after = await adapter.plainQuery(
        `select pg_backend_pid() as pid, current_user as role, auth.session() as session, current_setting('jwt.claims.sub', true) as sub`,
      )
      expect(after).toEqual([{ pid: inside!.pid, role: 'authenticator', session: null, sub: '' }])
    })

    it('enforces RLS per caller', async () => {
      await adapter.query(await token('alice'), `insert into conformance_notes (body) values ('a1'), ('a2')`)
      await adapter.transaction(await token('bob'), (run) =>
        run(`insert into conformance_notes (body) values ('b1')`),
      )
      const alice = await adapter.query(
        await token('alice'),
        'select body from conformance_notes order by id',
      )
      const bob = await adapter.transaction(await token('bob'), (run) =>
        run('select body from conformance_notes'),
      )
      const anonymous = await adapter.query(null, 'select body from conformance_notes')
      expect({ alice, bob, anonymous }).toEqual({
        alice: [{ body: 'a1' }, { body: 'a2' }],
        bob: [{ body: 'b1' }],
        anonymous: [],
      })
    })

    it('runs the anonymous caller as the default role with no claims', async () => {
      expect(await adapter.query(null, 'select current_user as role, auth.session() as session')).toEqual([
        { role: 'anon', session: null },
      ])
    })

    it('rolls back when the transaction throws, and rethrows', async () => {
      const carol = await token('carol')
      const failure = new Error('callback failed')
      await expect(
        adapter.transaction(carol, async (run) => {
          await run(`insert into conformance_notes (body) values ('never')`)
          throw failure
        }),
      ).rejects.toBe(failure)
      expect(await adapter.query(carol, 'select count(*)::int as n from conformance_notes')).toEqual([
        { n: 0 },
      ])
    })

    it('rejects a bad token with its code before taking a connection', async () => {
      const before = adapter.connectionsOpened()
      const forged = `${(await token('mallory')).slice(0, -3)}AAA`
      const expired = await signToken({ sub: 'x', exp: Math.floor(Date.now() / 1000) - 3600 })
      expect(await errorCode(adapter.query(forged, 'select 1'))).toBe('TOKEN_SIGNATURE_INVALID')
      expect(await errorCode(adapter.transaction(expired, (run) => run('select 1')))).toBe('TOKEN_EXPIRED')
      expect(await errorCode(adapter.query('not a token', 'select 1'))).toBe('TOKEN_MALFORMED')
      expect(adapter.connectionsOpened()).toBe(before)
    })

    it('answers ROLE_UNKNOWN for a role PostgreSQL does not have, and leaves the connection clean', async () => {
      const ghost = await signToken({ sub: 'x', role: 'conformance_missing_role' })
      expect(await errorCode(adapter.query(ghost, 'select 1'))).toBe('ROLE_UNKNOWN')
      expect(await adapter.plainQuery('select current_user as role, auth.session() as session')).toEqual([
        { role: 'authenticator', session: null },
      ])
    })

    it('keeps concurrent callers apart on a shared pool', async () => {
      const users = Array.from({ length: 20 }, (_, index) => `user${index}`)
      const seen = await Promise.all(
        users.map(async (user) => {
          const [row] = await adapter.transaction(await token(user), (run) =>
            run('select auth.user_id() as uid'),
          )
          return row!.uid
        }),
      )
      expect(seen).toEqual(users)
    })
  })
}
