import {
  type CallOptions,
  type Claims,
  createClaims,
  installHelpers,
  isPgClaimsError,
  type PgClaimsErrorCode,
} from '@pg-claims/core'
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest'
import { describeParity } from './conformance-parity.js'
import { createTestDatabase, type TestDatabase } from './database.js'
import { signToken, TEST_SECRET } from './tokens.js'

/** A row as the adapter returns it. */
export type Row = Record<string, unknown>

/** Runs raw SQL through the adapter inside the current transaction and returns the rows. */
export type RunSql = (sql: string) => Promise<Row[]>

/**
 * One caller's handle (`withClaims(token)`, `withVerifiedClaims(claims)`), kept and reused as an
 * application may keep it.
 */
export interface ScopeUnderTest {
  /** Runs `work` in an explicit claims transaction; `run` is the transaction's own handle. */
  transaction<T>(work: (run: RunSql) => Promise<T>): Promise<T>
  /** Runs one statement directly, without an explicit transaction. */
  query(sql: string): Promise<Row[]>
}

/**
 * What a target builds: one adapter wired to a database, driven only through the adapter's own
 * public API (Kysely's `transaction().execute`, Drizzle's `transaction`, Prisma's `$transaction`…).
 */
export interface AdapterParts {
  /** The adapter's `withClaims(token, call)` (`null`: anonymous). */
  withClaims(token: string | null, call?: CallOptions): ScopeUnderTest
  /** The adapter's `withVerifiedClaims(claims)`. */
  withVerifiedClaims(claims: Record<string, unknown>): ScopeUnderTest
  /** Runs one statement through the same pool with no claims (the adapter's plain client). */
  plainQuery(sql: string): Promise<Row[]>
  /** How many connections the adapter's pool has opened so far. */
  connectionsOpened(): number
  /** Releases everything. */
  close(): Promise<void>
}

/** {@link AdapterParts}, with one-call shorthands for the suites. */
export interface AdapterUnderTest extends AdapterParts {
  /** `withClaims(token).transaction(work)`. */
  transaction<T>(token: string | null, work: (run: RunSql) => Promise<T>): Promise<T>
  /** `withClaims(token).query(sql)`. */
  query(token: string | null, sql: string): Promise<Row[]>
}

/**
 * Adds the one-call shorthands to a target's {@link AdapterParts}.
 *
 * @example
 * ```ts
 * return adapterUnderTest({ withClaims, withVerifiedClaims, plainQuery, connectionsOpened, close })
 * ```
 */
export function adapterUnderTest(parts: AdapterParts): AdapterUnderTest {
  return {
    ...parts,
    transaction: (token, work) => parts.withClaims(token).transaction(work),
    query: (token, sql) => parts.withClaims(token).query(sql),
  }
}

/** What a target's pool is made of. */
export interface TargetOptions {
  readonly url: string
  readonly claims: Claims
  readonly poolSize: number
  readonly pipeline: boolean
}

/** How to build an adapter for the suite. */
export interface ConformanceTarget {
  /** The adapter's name, for the test titles. */
  readonly name: string
  /**
   * Builds the adapter on `url` (the `authenticator` login role) with a pool of at most
   * `poolSize` connections, applying `claims`; `pipeline` creates the pool with pg's
   * `pipeline: true`.
   */
  create(options: TargetOptions): Promise<AdapterUnderTest>
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
 * How a stale handle's statement was refused: `refused` for pg-claims' `TRANSACTION_ENDED` (or an
 * ORM's error wrapping it as its `cause`, as Drizzle wraps every driver error; or
 * `TRANSACTION_ENDED_EARLY`, which an adapter may report for a statement refused after one of the
 * work ended the transaction, naming the cause), or for the ORM's own refusal of a finished
 * transaction (Kysely's "Transaction is already committed"), which stops the statement before it
 * reaches pg-claims. `ran` when it ran.
 */
async function refusal(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  )
  if (error === undefined) return 'ran'
  const cause = error instanceof Error ? error.cause : undefined
  const refusals = ['TRANSACTION_ENDED', 'TRANSACTION_ENDED_EARLY'] as const
  if (refusals.some((code) => isPgClaimsError(error, code) || isPgClaimsError(cause, code))) return 'refused'
  const message = error instanceof Error ? error.message : String(error)
  return /transaction is already (committed|rolled back)/i.test(message)
    ? 'refused'
    : `other error: ${message}`
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
  for (const pipeline of [false, true]) {
    describeOnPool(target, pipeline)
    describeParity(target, pipeline)
  }
}

function describeOnPool(target: ConformanceTarget, pipeline: boolean): void {
  describe(`conformance: ${target.name}, ${pipeline ? 'pipelined pool' : 'pool'}`, () => {
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
            -- what a statement that ran where it must not leaves behind, whatever its role
            create table conformance_escapes (who text not null default current_user);
            grant select, insert on conformance_escapes to public;
          `)
        },
      })
      adapter = await target.create({ url: database.url, claims: conformanceClaims(), poolSize: 1, pipeline })
    })

    afterAll(async () => {
      await adapter?.close()
      await database?.drop()
    })

    // `current_user::text`: `name` columns are not readable through every driver (Prisma on
    // @prisma/adapter-neon refuses them), and the cases are about the values
    it('shows the claims and the role inside a transaction', async () => {
      const rows = await adapter.transaction(await token('alice', { org: { id: 7 } }), (run) =>
        run(
          `select current_user::text as role, auth.user_id() as uid, current_setting('jwt.claims.org') as org`,
        ),
      )
      expect(rows).toEqual([{ role: 'authenticated', uid: 'alice', org: '{"id":7}' }])
    })

    it('gives a direct query its own claims transaction', async () => {
      const rows = await adapter.query(
        await token('alice'),
        'select current_user::text as role, auth.user_id() as uid',
      )
      expect(rows).toEqual([{ role: 'authenticated', uid: 'alice' }])
    })

    it('leaves the connection with the login role and no claims afterwards', async () => {
      const [inside] = await adapter.transaction(await token('alice'), (run) =>
        run('select pg_backend_pid() as pid'),
      )
      await adapter.query(await token('alice'), 'select 1')
      const after = await adapter.plainQuery(
        `select pg_backend_pid() as pid, current_user::text as role, auth.session() as session, current_setting('jwt.claims.sub', true) as sub`,
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

    it('runs the anonymous caller as the default role, with only the role in its claims (as PostgREST)', async () => {
      expect(
        await adapter.query(
          null,
          'select current_user::text as role, auth.session() as session, auth.role() as r',
        ),
      ).toEqual([{ role: 'anon', session: { role: 'anon' }, r: 'anon' }])
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
      expect(
        await adapter.plainQuery('select current_user::text as role, auth.session() as session'),
      ).toEqual([{ role: 'authenticator', session: null }])
    })

    it('answers ROLE_UNKNOWN from a transaction whose work ran a statement, and runs nothing of it', async () => {
      const ghost = await signToken({ sub: 'x', role: 'conformance_missing_role' })
      let ran = 'no answer'
      const code = await errorCode(
        adapter.transaction(ghost, async (run) => {
          ran = JSON.stringify(await run('select 1 as one'))
          return ran
        }),
      )
      expect({ code, ran }).toEqual({ code: 'ROLE_UNKNOWN', ran: 'no answer' })
      expect(
        await adapter.plainQuery('select current_user::text as role, auth.session() as session'),
      ).toEqual([{ role: 'authenticator', session: null }])
    })

    describe('a handle kept across time', () => {
      afterEach(() => {
        vi.useRealTimers()
      })

      it('re-checks exp before every transaction and query of a kept handle', async () => {
        const now = Math.floor(Date.now() / 1000)
        const kept = adapter.withClaims(await token('erin', { exp: now + 120 }))
        expect(await kept.query('select auth.user_id() as uid')).toEqual([{ uid: 'erin' }])
        vi.useFakeTimers({ toFake: ['Date'], now: (now + 3600) * 1000 })
        const before = adapter.connectionsOpened()
        expect(await errorCode(kept.query('select 1'))).toBe('TOKEN_EXPIRED')
        expect(await errorCode(kept.transaction((run) => run('select 1')))).toBe('TOKEN_EXPIRED')
        expect(adapter.connectionsOpened()).toBe(before)
      })

      it('does not remember a refusal: a handle made before nbf works once nbf has passed', async () => {
        const now = Math.floor(Date.now() / 1000)
        const early = adapter.withClaims(await token('fred', { nbf: now + 600 }))
        expect(await errorCode(early.query('select 1'))).toBe('TOKEN_NOT_YET_VALID')
        vi.useFakeTimers({ toFake: ['Date'], now: (now + 700) * 1000 })
        expect(await early.transaction((run) => run('select auth.user_id() as uid'))).toEqual([
          { uid: 'fred' },
        ])
      })
    })

    it('checks and copies verified claims when the handle is made', async () => {
      expect(() => adapter.withVerifiedClaims({ sub: 'x', role: 'authenticated', bad: 'a\u0000b' })).toThrow(
        expect.objectContaining({ code: 'VALUE_NOT_STORABLE' }),
      )
      const claims: Record<string, unknown> = { sub: 'gina', role: 'authenticated' }
      const handle = adapter.withVerifiedClaims(claims)
      claims.sub = 'mallory'
      expect(await handle.query('select auth.user_id() as uid')).toEqual([{ uid: 'gina' }])
      expect(await handle.transaction((run) => run('select auth.user_id() as uid'))).toEqual([
        { uid: 'gina' },
      ])
    })

    it('refuses every use of a transaction handle after its transaction ended', async () => {
      let stale: RunSql | undefined
      await adapter.transaction(await token('hank'), async (run) => {
        stale = run
        return run('select 1')
      })
      // the pool's one connection now serves another caller's transaction
      const other = adapter.transaction(await token('ivy'), (run) =>
        run('select 1 as one from pg_sleep(0.05)'),
      )
      const sneak = `select pg_catalog.set_config('conformance.stale', 'ran', false)`
      expect(await refusal(stale!(sneak))).toBe('refused')
      await other
      const failing = adapter.transaction(await token('hank'), async (run) => {
        stale = run
        throw new Error('callback failed')
      })
      await expect(failing).rejects.toThrow('callback failed')
      expect(await refusal(stale!(sneak))).toBe('refused')
      expect(await adapter.plainQuery(`select current_setting('conformance.stale', true) as ran`)).toEqual([
        { ran: null },
      ])
    })

    it('lets no session-level role or setting of a callback reach the next borrower', async () => {
      await adapter.transaction(await token('jack'), async (run) => {
        await run(`select pg_catalog.set_config('request.jwt.claims', '{"sub":"jack"}', false) as v`)
        return run(`select pg_catalog.set_config('role', 'authenticated', false) as v`)
      })
      await adapter.query(
        await token('kim'),
        `select pg_catalog.set_config('jwt.claims.sub', 'kim', false) as v`,
      )
      expect(
        await adapter.plainQuery(
          `select current_user::text as role, auth.session() as session, nullif(current_setting('jwt.claims.sub', true), '') as sub`,
        ),
      ).toEqual([{ role: 'authenticator', session: null, sub: null }])
    })

    it('refuses every statement after one of the work ended the transaction, and answers TRANSACTION_ENDED_EARLY', async () => {
      const owner = await token('nora')
      let committing = 'no answer'
      let after = 'not sent'
      const code = await errorCode(
        adapter.transaction(owner, async (run) => {
          await run(`insert into conformance_notes (body) values ('before')`)
          // rejected (each ORM wraps the driver's error its own way); the call names the cause
          committing = await run('commit').then(
            () => 'answered',
            () => 'rejected',
          )
          // what ran now would run without the claims, as the login role
          after = await refusal(run('insert into conformance_escapes default values'))
          return 'done'
        }),
      )
      expect({ code, committing, after }).toEqual({
        code: 'TRANSACTION_ENDED_EARLY',
        committing: 'rejected',
        after: 'refused',
      })
      // the statement's COMMIT did commit what was before it: the error says so
      expect(await adapter.query(owner, 'select body from conformance_notes')).toEqual([{ body: 'before' }])
      expect(
        await adapter.plainQuery(
          'select current_user::text as role, auth.session() as session, (select count(*)::int from conformance_escapes) as escaped',
        ),
      ).toEqual([{ role: 'authenticator', session: null, escaped: 0 }])
    })

    it('answers TRANSACTION_ROLLED_BACK when the work caught its own failed statement', async () => {
      const owner = await token('liam')
      const code = await errorCode(
        adapter.transaction(owner, async (run) => {
          await run(`insert into conformance_notes (body) values ('lost')`)
          await run('select 1 / 0 as boom').catch(() => undefined)
          return 'done'
        }),
      )
      expect(code).toBe('TRANSACTION_ROLLED_BACK')
      expect(await adapter.query(owner, 'select count(*)::int as n from conformance_notes')).toEqual([
        { n: 0 },
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
