/**
 * Every error pg-claims raises, by its stable `code`, with the HTTP status a server should answer.
 *
 * The table is the contract: codes never change meaning, and new codes are only ever added.
 *
 * @example
 * ```ts
 * import { ERROR_CODES } from '@pg-claims/core'
 * ERROR_CODES.TOKEN_EXPIRED.status // 401
 * ```
 */
export const ERROR_CODES = {
  TOKEN_MISSING: {
    status: 401,
    description: 'No token was given and anonymous access is off (no default role).',
  },
  TOKEN_MALFORMED: {
    status: 401,
    description: 'The token is not a well-formed compact JWS with a JSON claims set.',
  },
  TOKEN_TOO_LARGE: { status: 401, description: 'The token is longer than the `maxTokenSize` option allows.' },
  TOKEN_ALGORITHM_NOT_ALLOWED: {
    status: 401,
    description: 'The token is signed with an algorithm outside the allow-list (including `none`).',
  },
  TOKEN_CRIT_UNSUPPORTED: {
    status: 401,
    description:
      "The token's `crit` header names an extension pg-claims does not understand (RFC 7515 says to refuse it).",
  },
  TOKEN_SIGNATURE_INVALID: {
    status: 401,
    description: 'The signature does not verify with the configured key.',
  },
  TOKEN_KEY_NOT_FOUND: { status: 401, description: 'No key in the JWKS matches the token (`kid`/`alg`).' },
  TOKEN_EXPIRED: {
    status: 401,
    description: 'The token is past `exp`, or older than the `maxTokenAge` option.',
  },
  TOKEN_NOT_YET_VALID: { status: 401, description: 'The token is before its `nbf`.' },
  CLAIM_INVALID: {
    status: 401,
    description: 'A claim failed a check: `iss`, `aud`, a required claim, the role claim, or the schema.',
  },
  VALUE_NOT_STORABLE: {
    status: 401,
    description:
      'A claim cannot reach PostgreSQL unchanged: a NUL character, a lone surrogate, a number JavaScript cannot hold exactly (an integer past 2^53), a value that is not plain JSON data, or nesting deeper than 64.',
  },
  ROLE_MISSING: {
    status: 401,
    description: 'The token has no role claim and no default role is configured.',
  },
  ROLE_NOT_ALLOWED: { status: 403, description: 'The role is not in the `roles.allowed` list.' },
  ROLE_UNKNOWN: { status: 401, description: 'PostgreSQL has no role of that name (SQLSTATE 22023).' },
  ROLE_NOT_GRANTED: {
    status: 403,
    description: 'The login role may not switch to that role (SQLSTATE 42501): grant it to the login role.',
  },
  JWKS_UNAVAILABLE: {
    status: 503,
    description: 'The remote JWKS could not be fetched or is not a valid key set.',
  },
  SETTING_INVALID: {
    status: 500,
    description:
      'A setting from settings.extra or a call is neither a dotted custom name nor a built-in one pg-claims lets through (statement_timeout, lock_timeout, idle_in_transaction_session_timeout, search_path, application_name), is one pg-claims writes itself, or has a bad value; or settings.extra or settings.onSkippedClaim threw.',
  },
  PRE_REQUEST_FAILED: {
    status: 403,
    description:
      "The preRequest function raised an error, or could not be called (it does not exist, or the login role may not EXECUTE it); `sqlstate` and the message are PostgreSQL's, and `status` follows PostgREST (`PT403` → 403, 42501 → 403, P0001 → 400, otherwise 500).",
  },
  TRANSACTION_ENDED: {
    status: 500,
    description:
      'A client, transaction or connection handle was used after its claims transaction ended; nothing was sent.',
  },
  TRANSACTION_ENDED_EARLY: {
    status: 500,
    description:
      "A statement of the work ended the claims transaction (COMMIT, ROLLBACK, END, ABORT, PREPARE TRANSACTION): what came before it was committed or rolled back by it, every statement after it was refused, and the connection is closed or reset before it is reused. Let the transaction end itself: return from the callback to commit, throw to roll back. On postgres.js, which does not report the transaction's status, only a COMMIT is recognised.",
  },
  RELEASE_REFUSED: {
    status: 500,
    description:
      'The callback tried to release its connection mid-transaction; the claims transaction releases it when it ends.',
  },
  TRANSACTION_ROLLED_BACK: {
    status: 500,
    description:
      'COMMIT answered ROLLBACK: a statement of the transaction failed and its error was caught, so nothing was committed.',
  },
  CONFIG_INVALID: {
    status: 500,
    description:
      'The options are inconsistent or unsafe (checked at `createClaims`), a `roles.allowed` predicate threw, or a single claims query on a pipelined pool was given a custom query class (pg-cursor, pg-query-stream); the message says which.',
  },
} as const satisfies Record<string, { status: number; description: string }>

/**
 * A stable error code: one key of {@link ERROR_CODES}.
 *
 * @example
 * ```ts
 * const code: PgClaimsErrorCode = 'TOKEN_EXPIRED'
 * ```
 */
export type PgClaimsErrorCode = keyof typeof ERROR_CODES

/**
 * The brand every {@link PgClaimsError} carries. `Symbol.for` makes it the same symbol in every copy
 * of `@pg-claims/core` an application loads (an adapter's copy and the app's own, say), so errors
 * are recognized across copies.
 */
const ERROR_BRAND: unique symbol = Symbol.for('pg-claims.error') as never

/** Whether `value` is a pg-claims error from any copy of this package: the brand, a code and a status. */
function isBrandedError(value: unknown): value is PgClaimsError {
  if (typeof value !== 'object' || value === null) return false
  const error = value as { [ERROR_BRAND]?: unknown; code?: unknown; status?: unknown }
  return error[ERROR_BRAND] === true && typeof error.code === 'string' && typeof error.status === 'number'
}

/**
 * The one error class pg-claims throws for bad input or configuration. Check `code`, not the message.
 *
 * `instanceof PgClaimsError` (and {@link isPgClaimsError}) also recognizes the errors of another copy
 * of `@pg-claims/core`, such as an adapter's own after a core patch release: errors carry a
 * `Symbol.for('pg-claims.error')` brand, which is what the check looks at.
 *
 * @example
 * ```ts
 * try {
 *   await db.withClaims(token).transaction(async (client) => client.query('select 1'))
 * } catch (error) {
 *   if (error instanceof PgClaimsError) return reply.status(error.status).send({ code: error.code })
 *   throw error
 * }
 * ```
 */
export class PgClaimsError extends Error {
  /**
   * `error instanceof PgClaimsError`: true for the errors of every copy of `@pg-claims/core`
   * (by brand); for a subclass, the usual prototype check.
   */
  static override [Symbol.hasInstance](value: unknown): value is PgClaimsError {
    // biome-ignore lint/complexity/noThisInStatic: `this` is the class instanceof asked about, maybe a subclass
    if (this !== PgClaimsError) return Function.prototype[Symbol.hasInstance].call(this, value)
    return isBrandedError(value)
  }

  override readonly name = 'PgClaimsError'
  /** The stable code; see {@link ERROR_CODES}. */
  readonly code: PgClaimsErrorCode
  /** The HTTP status a server should answer with. */
  readonly status: number
  /** PostgreSQL's SQLSTATE, when the error stands for one PostgreSQL raised (`PRE_REQUEST_FAILED`). */
  readonly sqlstate: string | undefined

  constructor(
    code: PgClaimsErrorCode,
    message: string,
    options?: { cause?: unknown; status?: number | undefined; sqlstate?: string | undefined },
  ) {
    super(message, options)
    this.code = code
    this.status = options?.status ?? ERROR_CODES[code].status
    this.sqlstate = options?.sqlstate
    Object.defineProperty(this, ERROR_BRAND, { value: true })
  }
}

/**
 * Whether `error` is a {@link PgClaimsError}, optionally with the given code. It recognizes the
 * errors of any copy of `@pg-claims/core` loaded in the same process.
 *
 * @example
 * ```ts
 * if (isPgClaimsError(error, 'TOKEN_EXPIRED')) console.log('ask the client to refresh')
 * ```
 */
export function isPgClaimsError(error: unknown, code?: PgClaimsErrorCode): error is PgClaimsError {
  return isBrandedError(error) && (code === undefined || error.code === code)
}
