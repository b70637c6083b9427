import type pg from 'pg'
import type { ClaimsPool } from '../pool/claims-pool.js'
import type { ClaimsContext } from '../serialize/context.js'
import type { TransactionOptions } from '../session/transaction-options.js'

/** Thrown out of the transaction to roll it back, and caught again at once: never seen by callers. */
class RollBack extends Error {
  constructor() {
    super('pg-claims asClaims: rolled back on purpose')
  }
}

/**
 * Runs `fn` in a claims transaction for `claims` (or the anonymous caller, for `null`), exactly as
 * your application's requests run, then ALWAYS rolls it back, also when `fn` succeeds: a test
 * leaves no rows behind. Returns what `fn` returns; rethrows what it throws.
 *
 * Built on the engine the adapters share: `db.withVerifiedClaims(claims).transaction(fn)` (or
 * `db.withClaims(null)`), so the role switch, the settings and `roles.allowed` are those of
 * production. `claims` skip signature checks: pass them only from tests.
 *
 * @example
 * ```ts
 * import { claimsPool, createClaims } from '@pg-claims/core'
 * import { asClaims, expectDenied, expectRows } from '@pg-claims/core/testing'
 *
 * const db = claimsPool(new pg.Pool({ connectionString: process.env.DATABASE_URL }), createClaims(options))
 * await asClaims(db, { sub: 'alice', role: 'authenticated' }, async (client) => {
 *   await client.query(`insert into notes (body) values ('mine')`)
 *   await expectRows(client, 'select body from notes', [{ body: 'mine' }])
 * }) // rolled back: the note is gone
 * ```
 */
export async function asClaims<TClaims, T>(
  db: ClaimsPool<TClaims>,
  claims: TClaims | null,
  fn: (client: pg.PoolClient, context: ClaimsContext<TClaims>) => Promise<T>,
  options?: TransactionOptions,
): Promise<T> {
  const scope = claims === null ? db.withClaims(null) : db.withVerifiedClaims(claims)
  let value: T | undefined
  const rollBack = new RollBack()
  try {
    await scope.transaction(async (client, context) => {
      value = await fn(client, context)
      throw rollBack // transaction() rolls back, then rethrows it to here
    }, options)
  } catch (error) {
    if (error !== rollBack) throw error
  }
  return value as T
}
