import { PgClaimsError } from '../errors.js'
import { fromSettingsError } from './settings-error.js'

/**
 * The HTTP status for the SQLSTATE a pre-request function raised, as PostgREST maps it: `PTnnn`
 * → nnn (`raise sqlstate 'PT403'` → 403), 42501 (insufficient privilege) → 403, P0001 (a plain
 * `raise exception`) → 400, anything else → 500.
 *
 * @example
 * ```ts
 * preRequestStatus('PT429') // 429
 * ```
 */
export function preRequestStatus(sqlstate: string | undefined): number {
  const custom = /^PT([1-5][0-9][0-9])$/.exec(sqlstate ?? '')
  if (custom !== null) return Number(custom[1])
  if (sqlstate === '42501') return 403
  if (sqlstate === 'P0001') return 400
  return 500
}

/**
 * Turns the error a pre-request function raised into `PRE_REQUEST_FAILED`, with PostgreSQL's
 * SQLSTATE (`sqlstate`) and message, and the status {@link preRequestStatus} maps it to.
 *
 * @example
 * ```ts
 * fromPreRequestError({ code: 'PT403', message: 'blocked' }).status // 403
 * ```
 */
export function fromPreRequestError(error: unknown): unknown {
  if (error instanceof PgClaimsError || typeof error !== 'object' || error === null) return error
  const code: unknown = Reflect.get(error, 'code')
  const message: unknown = Reflect.get(error, 'message')
  const sqlstate = typeof code === 'string' ? code : undefined
  return new PgClaimsError(
    'PRE_REQUEST_FAILED',
    `The pre-request function raised ${sqlstate ?? 'an error'}: ${typeof message === 'string' ? message : String(error)}`,
    { cause: error, sqlstate, status: preRequestStatus(sqlstate) },
  )
}

/**
 * The error a failed opening (`BEGIN`, then `SELECT pre_request() WHERE
 * cardinality(ARRAY[set_config(…), …]) = N`) stands for:
 * - an error raised inside a function (PostgreSQL says where: `error.where`) came from the
 *   pre-request function;
 * - EXECUTE denied (raised by `aclcheck_error`) is about the pre-request function too: PostgreSQL
 *   checks it as the statement starts, for the login role, so the message says to grant it;
 * - otherwise a role error from the settings is typed as {@link fromSettingsError} types it;
 * - any other error PostgreSQL raised came from calling the pre-request function (one that does
 *   not exist, say) when one is configured; an error without a SQLSTATE (the connection broke) is
 *   returned unchanged.
 *
 * @example
 * ```ts
 * await connection.script(sql).catch((error) => { throw fromOpeningError(error, context.role, true) })
 * ```
 */
export function fromOpeningError(error: unknown, role: string | null, preRequest: boolean): unknown {
  if (!preRequest) return fromSettingsError(error, role)
  const field = (name: string): unknown =>
    typeof error === 'object' && error !== null ? Reflect.get(error, name) : undefined
  const where = field('where')
  if (typeof where === 'string' && where !== '') return fromPreRequestError(error)
  if (field('routine') === 'aclcheck_error') {
    return new PgClaimsError(
      'PRE_REQUEST_FAILED',
      `The login role may not execute the pre-request function (${String(field('message'))}): PostgreSQL checks EXECUTE for the login role, before the role switch, so GRANT EXECUTE ON FUNCTION <schema.function>() TO <login role>`,
      { cause: error, sqlstate: '42501', status: preRequestStatus('42501') },
    )
  }
  const typed = fromSettingsError(error, role)
  if (typed !== error) return typed
  const code = field('code')
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? fromPreRequestError(error) : error
}
