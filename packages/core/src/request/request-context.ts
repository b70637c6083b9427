import type { IncomingMessage } from 'node:http'
import type { RequestContext } from '../serialize/request-context.js'

/**
 * Which parts of a request reach SQL. Nothing is copied unless listed: `cookie`, `authorization`
 * and every other header stay out of `request.headers` unless you name them.
 *
 * @example
 * ```ts
 * const pick: RequestContextOptions = { headers: ['x-client-version', 'user-agent'], cookies: ['theme'] }
 * ```
 */
export interface RequestContextOptions {
  /** Header names to copy into `request.headers` (any case; written lower-cased). Default none. */
  readonly headers?: readonly string[]
  /** Cookie names to copy into `request.cookies` (exact case). Default none. */
  readonly cookies?: readonly string[]
}

/**
 * Builds the {@link RequestContext} of a call (PostgREST's `request.method`, `request.path`,
 * `request.headers`, `request.cookies`) from the request it serves.
 *
 * @example
 * ```ts
 * import { requestContext } from '@pg-claims/core'
 * const request = requestContext.fromRequest(webRequest, { headers: ['x-client-version'] })
 * await db.withClaims(token, { request }).query('select * from notes')
 * ```
 */
export const requestContext = {
  /**
   * From a web `Request` (Hono, Next.js route handlers, Deno, Bun, …).
   *
   * @example
   * ```ts
   * app.get('/notes', (c) => db.withClaims(token, { request: requestContext.fromRequest(c.req.raw, { headers: ['x-app'] }) }).query('select 1'))
   * ```
   */
  fromRequest(request: Request, options: RequestContextOptions = {}): RequestContext {
    return build(request.method, new URL(request.url).pathname, (name) => request.headers.get(name), options)
  },

  /**
   * From Node's `IncomingMessage` (`node:http`, Express, Fastify's `request.raw`). Repeated headers
   * are joined with `, `.
   *
   * @example
   * ```ts
   * http.createServer((req, res) => db.withClaims(token, { request: requestContext.fromIncomingMessage(req, { headers: ['x-app'] }) }).query('select 1'))
   * ```
   */
  fromIncomingMessage(message: IncomingMessage, options: RequestContextOptions = {}): RequestContext {
    const header = (name: string): string | null => {
      const value = message.headers[name]
      if (value === undefined) return null
      return Array.isArray(value) ? value.join(', ') : value
    }
    return build(
      message.method ?? '',
      new URL(message.url ?? '/', 'http://localhost').pathname,
      header,
      options,
    )
  },
}

function build(
  method: string,
  path: string,
  header: (lowerName: string) => string | null,
  options: RequestContextOptions,
): RequestContext {
  const headers: Record<string, string> = Object.create(null)
  for (const name of options.headers ?? []) {
    const lower = name.toLowerCase()
    const value = header(lower)
    if (value !== null) headers[lower] = value
  }
  const cookies: Record<string, string> = Object.create(null)
  if (options.cookies !== undefined && options.cookies.length > 0) {
    const all = parseCookies(header('cookie') ?? '')
    for (const name of options.cookies) {
      const value = all.get(name)
      if (value !== undefined) cookies[name] = value
    }
  }
  return { method, path, headers, cookies }
}

/** The cookies of a `Cookie` header, by name; values as sent (not URL-decoded), the first of a name wins. */
function parseCookies(header: string): Map<string, string> {
  const cookies = new Map<string, string>()
  for (const pair of header.split(';')) {
    const equals = pair.indexOf('=')
    if (equals < 0) continue
    const name = pair.slice(0, equals).trim()
    let value = pair.slice(equals + 1).trim()
    if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1)
    if (name !== '' && !cookies.has(name)) cookies.set(name, value)
  }
  return cookies
}
