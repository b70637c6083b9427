import { type Claims, claimsPool, PgClaimsError } from '@pg-claims/core'
import { Hono } from 'hono'
import type { ContentfulStatusCode } from 'hono/utils/http-status'
import type pg from 'pg'
import { errorResponse, HttpError } from './errors.js'

/**
 * What {@link createApp} needs: a pool connected as the login role (e.g. `authenticator`) and the
 * claims pipeline.
 *
 * @example
 * ```ts
 * const options: AppOptions = { pool: new pg.Pool({ connectionString, pipeline: true }), claims: exampleClaims() }
 * ```
 */
export interface AppOptions {
  readonly pool: pg.Pool
  readonly claims: Claims
}

/** Per-request values: the bearer token, `null` for an anonymous caller. */
type Env = { Variables: { token: string | null } }

/** A note as the API returns it. */
interface Note {
  id: number
  owner: string
  body: string
}

/**
 * The notes API. Every route runs in a transaction carrying the caller's verified claims, so the
 * rows it sees and writes are decided by PostgreSQL's row-level security, not by this code:
 *
 * - `GET /notes`: the caller's notes (none for an anonymous caller).
 * - `POST /notes` `{ "body": "…" }` (optionally `"owner"`): inserts a note owned by
 *   `auth.user_id()`; 201 with the note. Writing another user's note is refused by RLS (403).
 * - `GET /me`: the role, user id and claims as the database sees them.
 *
 * Errors are JSON `{ code, message }` with PostgREST's statuses (see {@link errorResponse}).
 *
 * @example
 * ```ts
 * import { serve } from '@hono/node-server'
 * const app = createApp({ pool, claims: exampleClaims() })
 * serve({ fetch: app.fetch, port: 3000 })
 * ```
 */
export function createApp({ pool, claims }: AppOptions): Hono<Env> {
  const db = claimsPool(pool, claims)
  const app = new Hono<Env>()

  app.use(async (c, next) => {
    c.set('token', bearerToken(c.req.header('Authorization')))
    await next()
  })

  app.get('/notes', async (c) => {
    const notes = await db.withClaims(c.get('token')).transaction(
      async (client) => {
        const { rows } = await client.query<Note>('select id, owner, body from notes order by id')
        return rows
      },
      { accessMode: 'read only' },
    )
    return c.json(notes)
  })

  app.post('/notes', async (c) => {
    const input = noteInput(await c.req.json<unknown>().catch(() => undefined))
    const note = await db.withClaims(c.get('token')).transaction(async (client) => {
      const { rows } =
        input.owner === undefined
          ? await client.query<Note>('insert into notes (body) values ($1) returning id, owner, body', [
              input.body,
            ])
          : await client.query<Note>(
              'insert into notes (body, owner) values ($1, $2) returning id, owner, body',
              [input.body, input.owner],
            )
      return rows[0]
    })
    return c.json(note, 201)
  })

  app.get('/me', async (c) => {
    const me = await db.withClaims(c.get('token')).transaction(
      async (client) => {
        const { rows } = await client.query<{ role: string; userId: string | null; claims: unknown }>(
          'select current_user as "role", auth.user_id() as "userId", auth.session() as "claims"',
        )
        return rows[0]
      },
      { accessMode: 'read only' },
    )
    return c.json(me)
  })

  app.onError((error, c) => {
    const { status, body, headers } = errorResponse(error, { anonymous: c.get('token') === null })
    if (status === 500) console.error(error)
    return c.json(body, status as ContentfulStatusCode, headers)
  })

  return app
}

/**
 * The token of an `Authorization: Bearer <token>` header; `null` (anonymous) without the header.
 * Another scheme is refused as `TOKEN_MALFORMED` rather than silently treated as anonymous.
 *
 * @example
 * ```ts
 * bearerToken('Bearer eyJ…') // 'eyJ…'
 * bearerToken(undefined) // null
 * ```
 */
export function bearerToken(header: string | undefined): string | null {
  if (header === undefined) return null
  const match = /^Bearer +(\S*) *$/i.exec(header)
  if (match === null) {
    throw new PgClaimsError('TOKEN_MALFORMED', 'The Authorization header must be "Bearer <token>"')
  }
  return match[1] ?? ''
}

function noteInput(input: unknown): { body: string; owner?: string } {
  if (typeof input === 'object' && input !== null && 'body' in input && typeof input.body === 'string') {
    if (!('owner' in input) || input.owner === undefined) return { body: input.body }
    if (typeof input.owner === 'string') return { body: input.body, owner: input.owner }
  }
  throw new HttpError(
    400,
    'BODY_INVALID',
    'The body must be a JSON object: { "body": string, "owner"?: string }',
  )
}
