import { AsyncLocalStorage } from 'node:async_hooks'
import type { ClaimsContext, TransactionOptions } from '@pg-claims/core'
import {
  beginStatement,
  beginWithClaimsSql,
  fromOpeningError,
  fromPreRequestError,
  settingsStatement,
} from '@pg-claims/core/adapter'
import type pg from 'pg'

/**
 * One claims transaction about to start: set by {@link startingClaimsTransaction} around Prisma's
 * `$transaction` call, consumed by the first connection the pool hands out in that async context.
 */
export interface PendingBegin {
  readonly context: ClaimsContext<unknown>
  /** A connection was taken for this transaction (whether or not its BEGIN could be rewritten). */
  taken: boolean
  /** The claims go out with the transaction's `BEGIN` (same message, or same flight when pipelined). */
  applied: boolean
  /** What PostgreSQL answered when the merged `BEGIN …; SELECT set_config(…)` failed. */
  error?: unknown
}

const pendingBegin = new AsyncLocalStorage<PendingBegin>()
const hooked = new WeakSet<pg.Pool>()

/**
 * Runs `start` (which must start exactly one interactive transaction) so that, on a pool passed
 * through {@link hookClaimsBegin}, the transaction's `BEGIN` carries `pending.context`'s settings;
 * `pending` then tells the caller what happened.
 */
export function startingClaimsTransaction<T>(pending: PendingBegin, start: () => Promise<T>): Promise<T> {
  return pendingBegin.run(pending, start)
}

/**
 * Makes `pool` send a claims transaction's settings with its `BEGIN`: on a pipelined pool
 * (`pipeline: true`), `BEGIN`, the settings (bind parameters) and the transaction's first operation
 * leave in one flight; otherwise the settings go in the same message as `BEGIN`. The pool
 * behaves exactly as before for everything else: only a connection checked out (promise form, as
 * `@prisma/adapter-pg` starts transactions) inside {@link startingClaimsTransaction} is touched, and
 * only its next two queries, and only when the first is the plain `BEGIN` the adapter sends.
 *
 * @example
 * ```ts
 * const pool = hookClaimsBegin(new pg.Pool({ connectionString }))
 * ```
 */
export function hookClaimsBegin(pool: pg.Pool): pg.Pool {
  if (hooked.has(pool)) return pool
  hooked.add(pool)
  const connect = pool.connect.bind(pool)
  const hookedConnect = (callback?: Parameters<pg.Pool['connect']>[0]) => {
    if (callback !== undefined) return connect(callback)
    const pending = pendingBegin.getStore()
    if (pending === undefined || pending.taken) return connect()
    pending.taken = true
    return connect().then((client) => {
      rewriteNextBegin(client, pending)
      return client
    })
  }
  // pg.Pool#connect is overloaded (callback or promise), which a single arrow function cannot
  // declare; the wrapper keeps both forms, so it is given the overloaded type.
  pool.connect = hookedConnect as pg.Pool['connect']
  return pool
}

type IsolationLevel = NonNullable<TransactionOptions['isolationLevel']>

const ISOLATION_LEVELS: Readonly<Record<string, IsolationLevel>> = {
  'SET TRANSACTION ISOLATION LEVEL READ UNCOMMITTED': 'read uncommitted',
  'SET TRANSACTION ISOLATION LEVEL READ COMMITTED': 'read committed',
  'SET TRANSACTION ISOLATION LEVEL REPEATABLE READ': 'repeatable read',
  'SET TRANSACTION ISOLATION LEVEL SERIALIZABLE': 'serializable',
}

/**
 * Defers the client's next query, if it is the plain `BEGIN` `@prisma/adapter-pg` sends, to the
 * query after it, and then opens the claims transaction:
 * - before `SET TRANSACTION ISOLATION LEVEL x` (the adapter's next query when an isolation level is
 *   set), `BEGIN ISOLATION LEVEL x` and the settings replace both (that `SET` would fail after the
 *   settings statement, which takes the transaction's snapshot);
 * - on a pipelined client, `BEGIN`, the settings statement (core's `settingsStatement`: bind
 *   parameters) and the pre-request call (when configured) are written at once, and the next query
 *   follows without waiting: one flight;
 * - otherwise core's `beginWithClaimsSql` goes as one message, then the next query.
 * The adapter calls `query` with a config object and awaits it (promise form), one query at a time.
 */
function rewriteNextBegin(client: pg.PoolClient, pending: PendingBegin): void {
  const query = client.query
  const send = (config: unknown): Promise<unknown> => Reflect.apply(query, client, [config])
  let begun = false
  const intercept = (config: unknown, ...rest: unknown[]) => {
    if (!begun && !isPlainBegin(config)) {
      Reflect.deleteProperty(client, 'query')
      return Reflect.apply(query, client, [config, ...rest])
    }
    if (!begun) {
      begun = true
      pending.applied = true
      return Promise.resolve(emptyResult('BEGIN'))
    }
    Reflect.deleteProperty(client, 'query')
    const isolationLevel = isolationLevelOf(config)
    const options = isolationLevel === undefined ? undefined : { isolationLevel }
    const failed = (error: unknown) => {
      pending.error = error
      throw error
    }
    const next = () =>
      isolationLevel === undefined
        ? Reflect.apply(query, client, [config, ...rest])
        : Promise.resolve(emptyResult('SET'))
    const { context } = pending
    if (Reflect.get(client, 'pipeline') === true) {
      const begin = send({ text: beginStatement(options) })
      const settings = send(settingsStatement(context.settings))
      const preRequest =
        context.preRequestSql === undefined ? undefined : send({ text: context.preRequestSql })
      preRequest?.catch(() => undefined) // reported below, after the settings' own failure
      Promise.all([begin, settings])
        .then(() => preRequest?.catch((error: unknown) => failed(fromPreRequestError(error))), failed)
        .catch(() => undefined) // reported through `pending`
      return next()
    }
    const opening = (error: unknown) =>
      failed(fromOpeningError(error, context.role, context.preRequestSql !== undefined))
    return send(beginWithClaimsSql(context, options)).then(next, opening)
  }
  Object.defineProperty(client, 'query', { value: intercept, configurable: true, writable: true })
}

function isPlainBegin(config: unknown): boolean {
  return textOf(config) === 'BEGIN' && !hasValues(config)
}

function isolationLevelOf(config: unknown): IsolationLevel | undefined {
  const text = textOf(config)
  return text !== undefined && !hasValues(config) && Object.hasOwn(ISOLATION_LEVELS, text)
    ? ISOLATION_LEVELS[text]
    : undefined
}

function textOf(config: unknown): string | undefined {
  return typeof config === 'object' && config !== null && 'text' in config && typeof config.text === 'string'
    ? config.text
    : undefined
}

function hasValues(config: unknown): boolean {
  const values =
    typeof config === 'object' && config !== null && 'values' in config ? config.values : undefined
  return Array.isArray(values) && values.length > 0
}

/** What `pg` answers for a statement without rows; the adapter reads only `rowCount` of it. */
function emptyResult(command: string): pg.QueryResult {
  return { command, rowCount: 0, oid: 0, rows: [], fields: [] }
}
