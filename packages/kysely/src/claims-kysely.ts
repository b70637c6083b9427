import type { CallOptions, Claims } from '@pg-claims/core'
import { CallerScope, type PgPool, type PostgresJsSql } from '@pg-claims/core/adapter'
import { Kysely, type KyselyConfig, PostgresDialect } from 'kysely'
import { claimsDialect } from './claims-dialect.js'
import { ClaimsDriver } from './claims-driver.js'
import type { ConnectionSource } from './driver-connection.js'
import { plainPool } from './kysely-internals.js'
import { PlainPostgresJsDriver } from './plain-postgres-js.js'

/** The claims type `createClaims` gives without a schema (jose's `JWTPayload`). */
type DefaultClaims = Parameters<Claims['resolveVerified']>[0]

/**
 * What {@link ClaimsKysely} is built from: Kysely's options (`plugins`, `log`) without the
 * dialect, which is always PostgreSQL's, on `pool` or on a postgres.js `sql`.
 *
 * @example
 * ```ts
 * const config: ClaimsKyselyConfig = { pool: new pg.Pool({ connectionString }), claims, log: ['error'] }
 * const onPostgresJs: ClaimsKyselyConfig = { sql: postgres(url, { prepare: false }), claims }
 * ```
 */
export type ClaimsKyselyConfig<TClaims = DefaultClaims> = Omit<KyselyConfig, 'dialect'> & {
  /** Verifies tokens and turns their claims into settings (`createClaims` from `@pg-claims/core`). */
  readonly claims: Claims<TClaims>
} & (
    | {
        /**
         * The pool every query runs on; `destroy()` ends it. A `pg.Pool` (create it with
         * `pipeline: true`: a claims query then costs one network flight), Neon's serverless
         * `Pool`, or any pool of their shape.
         */
        readonly pool: PgPool & { end(): Promise<void> }
      }
    | {
        /**
         * A postgres.js `sql` (`postgres` >= 3.4) every query runs on, each Kysely connection one
         * `sql.reserve()`; `destroy()` ends it. Works with `prepare: false`.
         */
        readonly sql: PostgresJsSql & { end(): Promise<void> }
      }
  )

/**
 * A Kysely instance on `PostgresDialect` that runs queries without claims, as Kysely always does
 * (for migrations and admin work), and hands out handles that run every query under one caller's
 * verified claims.
 *
 * @example
 * ```ts
 * import { createClaims } from '@pg-claims/core'
 * import { ClaimsKysely } from '@pg-claims/kysely'
 * import pg from 'pg'
 *
 * const claims = createClaims({ secret, roles: { default: 'anon', allowed: ['anon', 'authenticated'] } })
 * const db = new ClaimsKysely<Database>({ pool: new pg.Pool({ connectionString }), claims })
 * const notes = await db.withClaims(token).selectFrom('notes').selectAll().execute()
 * ```
 */
export class ClaimsKysely<DB, TClaims = DefaultClaims> extends Kysely<DB> {
  readonly #config: Omit<KyselyConfig, 'dialect'>
  readonly #claims: Claims<TClaims>
  readonly #source: ConnectionSource
  readonly #end: () => Promise<void>
  #ended: Promise<void> | undefined

  constructor({ claims, ...options }: ClaimsKyselyConfig<TClaims>) {
    const { config, source, end } = splitConfig(options)
    // The plain instance's driver never ends the pool (Kysely's driver ends its pool only if it was
    // ever used), so `destroy()` below ends it, once.
    super({
      ...config,
      dialect:
        'sql' in source
          ? claimsDialect(new PlainPostgresJsDriver(source.sql))
          : new PostgresDialect({ pool: plainPool(source.pool) }),
    })
    this.#config = config
    this.#claims = claims
    this.#source = source
    this.#end = end
  }

  /**
   * Ends the pool, after Kysely's own clean-up. Claims handles share the pool and cannot end it.
   *
   * @example
   * ```ts
   * process.on('SIGTERM', () => db.destroy())
   * ```
   */
  override async destroy(): Promise<void> {
    await super.destroy()
    this.#ended ??= this.#end()
    await this.#ended
  }

  /**
   * A Kysely handle for the caller holding `token` (`null`: the anonymous caller). The token is
   * verified (through the claims cache) each time the handle takes a connection, before taking it;
   * a bad token rejects with a `PgClaimsError`. `transaction()` and `startTransaction()` open a
   * claims transaction; any other query runs in a claims transaction of its own. `call` adds the
   * request context (`request.*`) and settings of this call.
   *
   * @example
   * ```ts
   * const mine = await db.withClaims(token).selectFrom('notes').select(['id', 'body']).execute()
   * await db.withClaims(token).transaction().execute((trx) => trx.insertInto('notes').values({ body: 'hi' }).execute())
   * ```
   */
  withClaims(token: string | null, call?: CallOptions): Kysely<DB> {
    return this.#scope(CallerScope.forToken(this.#claims, token, call))
  }

  /**
   * A Kysely handle for a caller whose claims your own auth layer already verified. Nothing here
   * checks a signature: never pass what a client sent. Throws `CLAIM_INVALID` or
   * `VALUE_NOT_STORABLE` at once when the claims cannot be applied.
   *
   * @example
   * ```ts
   * const session = await auth.getSession(request) // your own, already verified
   * const rows = await db.withVerifiedClaims({ sub: session.userId, role: 'authenticated' }).selectFrom('notes').selectAll().execute()
   * ```
   */
  withVerifiedClaims(claims: TClaims, call?: CallOptions): Kysely<DB> {
    return this.#scope(CallerScope.forVerifiedClaims(this.#claims, claims, call))
  }

  #scope(caller: CallerScope<TClaims>): Kysely<DB> {
    return new Kysely<DB>({ ...this.#config, dialect: claimsDialect(new ClaimsDriver(this.#source, caller)) })
  }
}

/** Kysely's own options, where connections come from, and how to end it. */
function splitConfig(
  options: Omit<KyselyConfig, 'dialect'> &
    (
      | { readonly pool: PgPool & { end(): Promise<void> } }
      | { readonly sql: PostgresJsSql & { end(): Promise<void> } }
    ),
): {
  config: Omit<KyselyConfig, 'dialect'>
  source: ConnectionSource
  end: () => Promise<void>
} {
  if ('sql' in options) {
    const { sql, ...config } = options
    return { config, source: { sql }, end: () => sql.end() }
  }
  const { pool, ...config } = options
  return { config, source: { pool }, end: () => pool.end() }
}
