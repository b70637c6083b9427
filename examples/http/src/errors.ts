import { isPgClaimsError } from '@pg-claims/core'
import pg from 'pg'

/**
 * An error as the HTTP answer: status, JSON body `{ code, message }` and extra headers.
 *
 * @example
 * ```ts
 * const { status, body, headers } = errorResponse(error, { anonymous: true })
 * ```
 */
export interface ErrorResponse {
  readonly status: number
  readonly body: { readonly code: string; readonly message: string }
  readonly headers: Readonly<Record<string, string>>
}

/**
 * A request error the app itself raises (a bad body): answered with its status and code.
 *
 * @example
 * ```ts
 * throw new HttpError(400, 'BODY_INVALID', 'body must be a JSON object with a "body" string')
 * ```
 */
export class HttpError extends Error {
  override readonly name = 'HttpError'
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message)
  }
}

/** SQLSTATEs answered with a client error, as PostgREST does. */
const SQLSTATE_STATUS: Readonly<Record<string, number>> = {
  '23502': 400, // not_null_violation
  '23503': 409, // foreign_key_violation
  '23505': 409, // unique_violation
  '23514': 400, // check_violation
  '22P02': 400, // invalid_text_representation
}

/**
 * Maps an error to a response the way PostgREST does:
 * - a pg-claims error: its `status` (401, 403, 503 …) and `code`; a 401 for a bad token adds
 *   `WWW-Authenticate: Bearer error="invalid_token"`, a missing one just `Bearer`;
 * - PostgreSQL's 42501 (insufficient privilege, including an RLS `WITH CHECK` violation): 401 for an
 *   anonymous caller (with `WWW-Authenticate: Bearer`), 403 for an authenticated one;
 * - a few constraint violations: 400 or 409 with the SQLSTATE as the code;
 * - anything else: 500 without details.
 *
 * @example
 * ```ts
 * app.onError((error, c) => {
 *   const { status, body, headers } = errorResponse(error, { anonymous: c.get('token') === null })
 *   return c.json(body, status, headers)
 * })
 * ```
 */
export function errorResponse(error: unknown, caller: { readonly anonymous: boolean }): ErrorResponse {
  if (isPgClaimsError(error)) {
    const headers: Record<string, string> =
      error.status !== 401
        ? {}
        : { 'WWW-Authenticate': error.code === 'TOKEN_MISSING' ? 'Bearer' : 'Bearer error="invalid_token"' }
    return { status: error.status, body: { code: error.code, message: error.message }, headers }
  }
  if (error instanceof HttpError) {
    return { status: error.status, body: { code: error.code, message: error.message }, headers: {} }
  }
  const sqlState = sqlStateOf(error)
  if (sqlState === '42501') {
    const message = error instanceof Error ? error.message : 'permission denied'
    return caller.anonymous
      ? { status: 401, body: { code: sqlState, message }, headers: { 'WWW-Authenticate': 'Bearer' } }
      : { status: 403, body: { code: sqlState, message }, headers: {} }
  }
  const status = sqlState === undefined ? undefined : SQLSTATE_STATUS[sqlState]
  if (sqlState !== undefined && status !== undefined) {
    const message = error instanceof Error ? error.message : sqlState
    return { status, body: { code: sqlState, message }, headers: {} }
  }
  return { status: 500, body: { code: 'INTERNAL', message: 'internal server error' }, headers: {} }
}

/** The SQLSTATE of an error PostgreSQL answered with (not of a network error). */
function sqlStateOf(error: unknown): string | undefined {
  return error instanceof pg.DatabaseError ? error.code : undefined
}
