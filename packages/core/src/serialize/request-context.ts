import { PgClaimsError } from '../errors.js'
import { assertStorableText } from '../sql/literal.js'
import { assertStorableJson } from './json-value.js'

/**
 * The HTTP request a call serves, as PostgREST hands it to SQL: written as `request.method`,
 * `request.path`, `request.headers` (a JSON object, names lower-cased) and `request.cookies` (a
 * JSON object). Build it with `requestContext.fromRequest` / `fromIncomingMessage`, which copy only
 * the headers and cookies you list.
 *
 * @example
 * ```ts
 * const request: RequestContext = {
 *   method: 'GET',
 *   path: '/notes',
 *   headers: { 'x-client-version': '2.1' },
 * }
 * await db.withClaims(token, { request }).query('select * from notes')
 * ```
 */
export interface RequestContext {
  /** `request.method`, e.g. `GET`. */
  readonly method?: string
  /** `request.path`, e.g. `/notes` (no query string). */
  readonly path?: string
  /** `request.headers`: header names (lower-cased when written) to values. */
  readonly headers?: Readonly<Record<string, string>>
  /** `request.cookies`: cookie names to values. */
  readonly cookies?: Readonly<Record<string, string>>
}

/** The settings a request context is written to, in the order they are written. */
const REQUEST_SETTINGS = ['request.method', 'request.path', 'request.headers', 'request.cookies'] as const

/**
 * The names pg-claims writes for a request context; `settings.extra` and a call's `settings` may
 * not use them.
 *
 * @example
 * ```ts
 * REQUEST_SETTING_NAMES.has('request.headers') // true
 * ```
 */
export const REQUEST_SETTING_NAMES: ReadonlySet<string> = new Set(REQUEST_SETTINGS)

/**
 * The four PostgREST request settings for `request`: every one is written (`''` for a missing
 * method or path, `{}` for missing headers or cookies), so a policy reading
 * `current_setting('request.headers', true)::json` never reads what an earlier transaction left.
 * Header names are lower-cased; two that differ only in case are refused (`SETTING_INVALID`).
 *
 * @example
 * ```ts
 * requestSettings({ method: 'GET', headers: { 'X-Trace': 'a' } })
 * // [['request.method', 'GET'], ['request.path', ''], ['request.headers', '{"x-trace":"a"}'],
 * //  ['request.cookies', '{}']]
 * ```
 */
export function requestSettings(request: RequestContext): Array<readonly [string, string]> {
  const headers: Record<string, string> = Object.create(null)
  for (const [name, value] of Object.entries(request.headers ?? {})) {
    const lower = name.toLowerCase()
    if (Object.hasOwn(headers, lower)) {
      throw new PgClaimsError(
        'SETTING_INVALID',
        `request.headers has "${lower}" twice (header names ignore case)`,
      )
    }
    headers[lower] = value
  }
  const cookies = { ...request.cookies }
  for (const [what, object] of [
    ['request.headers', headers],
    ['request.cookies', cookies],
  ] as const) {
    for (const [name, value] of Object.entries(object)) {
      if (typeof value !== 'string') {
        throw new PgClaimsError(
          'SETTING_INVALID',
          `${what}["${name}"] is a ${typeof value}; values are strings`,
        )
      }
    }
    assertStorableJson(object)
  }
  const method = request.method ?? ''
  const path = request.path ?? ''
  assertStorableText(method, 'request.method')
  assertStorableText(path, 'request.path')
  return [
    ['request.method', method],
    ['request.path', path],
    ['request.headers', JSON.stringify(headers)],
    ['request.cookies', JSON.stringify(cookies)],
  ]
}
