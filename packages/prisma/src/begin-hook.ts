import { AsyncLocalStorage } from 'node:async_hooks'
import { type ClaimsContext, PgClaimsError, type TransactionOptions } from '@pg-claims/core'
import {
  beginStatement,
  beginWithClaimsSql,
  COMMIT,
  commitWithCheckSql,
  fromOpeningError,
  type Lease,
  PgTransactionWatch,
  ROLLBACK,
  sessionCheckStatement,
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
  /**
   * What the caller should be told: PostgreSQL's answer when the settings failed,
   * `TRANSACTION_ROLLED_BACK` when `COMMIT` answered `ROLLBACK`, or `TRANSACTION_ENDED_EARLY` when
   * a statement of the work ended the transaction.
   */
  error?: unknown
  /** The transaction's lease: revoked when a statement of the work ends the transaction itself. */
  readonly lease: Lease
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
  const pass = (config: unknown, rest: unknown[]) => Reflect.apply(query, client, [config, ...rest])
  const pipelined = Reflect.get(client, 'pipeline') === true
  let state: 'before BEGIN' | 'BEGIN deferred' | 'open' = 'before BEGIN'
  // the transaction's statements, watched for one that ends it (core's TRANSACTION_ENDED_EARLY);
  // the transaction's lease refuses every statement after it
  const watch = new PgTransactionWatch(client)
  const { lease } = pending
  const destroyOnRelease = (reason: Error) => {
    const release = client.release
    client.release = (destroy?: Error | boolean) => release.call(client, destroy ?? reason)
  }
  const done = () => {
    watch.stop()
    Reflect.deleteProperty(client, 'query')
  }
  // pg-pool gives the client a release of its own at every checkout, so this one lasts for this
  // checkout: the hook is gone once the connection is back, and one whose transaction a statement
  // of the work ended is destroyed
  const release = client.release
  client.release = (destroy?: Error | boolean) => {
    done()
    release.call(client, destroy ?? watch.ended)
  }
  const watched = (config: unknown, rest: unknown[]) => {
    if (watch.ended !== undefined) {
      try {
        lease.assertOpen() // revoked when the statement that ended the transaction was answered
      } catch (error) {
        return Promise.reject(error)
      }
    }
    return watch.query([config, ...rest], lease)
  }

  const open = (config: unknown, rest: unknown[]) => {
    state = 'open'
    const isolationLevel = isolationLevelOf(config)
    const options = isolationLevel === undefined ? undefined : { isolationLevel }
    const failed = (error: unknown) => {
      pending.error = error
      throw error
    }
    const next = () =>
      isolationLevel === undefined ? watched(config, rest) : Promise.resolve(emptyResult('SET'))
    const { context } = pending
    const opening = (error: unknown) =>
      failed(fromOpeningError(error, context.role, context.preRequestCall !== undefined))
    if (pipelined) {
      const begin = send({ text: beginStatement(options) })
      const settings = send(settingsStatement(context.settings, context.preRequestCall))
      Promise.all([begin, settings])
        .catch(opening)
        .catch(() => undefined) // reported through `pending`
      return next()
    }
    return send(beginWithClaimsSql(context, options)).then(next, opening)
  }

  // COMMIT goes with core's session check, in the same flight: a connection whose transaction left
  // session-level state (SET ROLE, set_config(…, false)) is destroyed when the adapter releases it.
  const commit = async () => {
    done()
    if (watch.ended !== undefined) {
      pending.error = watch.ended
      throw watch.ended
    }
    const settings = pending.context.settings
    const [answer, check] = pipelined
      ? await Promise.all([send({ text: COMMIT }), send(sessionCheckStatement(settings))])
      : ((await send(commitWithCheckSql(settings))) as unknown[])
    if (!isClean(check))
      destroyOnRelease(new Error('the transaction left session-level state on its connection'))
    if (commandOf(answer) !== COMMIT) {
      pending.error = new PgClaimsError(
        'TRANSACTION_ROLLED_BACK',
        'COMMIT answered ROLLBACK: a statement of this transaction failed (its error was caught), so nothing was committed',
      )
      throw pending.error
    }
    return answer
  }

  const intercept = (config: unknown, ...rest: unknown[]) => {
    if (state === 'before BEGIN') {
      if (!isPlainBegin(config)) {
        done()
        return pass(config, rest)
      }
      state = 'BEGIN deferred'
      pending.applied = true
      return Promise.resolve(emptyResult('BEGIN'))
    }
    const text = textOf(config)
    if (state === 'BEGIN deferred') {
      // a transaction that ends before any operation: its BEGIN was never sent, nothing to end
      if ((text === COMMIT || text === ROLLBACK) && !hasValues(config)) {
        done()
        return Promise.resolve(emptyResult(text))
      }
      return open(config, rest)
    }
    if (text === COMMIT && !hasValues(config)) return commit()
    if (text === ROLLBACK) {
      done()
      return pass(config, rest)
    }
    return watched(config, rest)
  }
  Object.defineProperty(client, 'query', { value: intercept, configurable: true, writable: true })
}

function isClean(check: unknown): boolean {
  const rows = typeof check === 'object' && check !== null ? Reflect.get(check, 'rows') : undefined
  const row: unknown = Array.isArray(rows) ? rows[0] : undefined
  return typeof row === 'object' && row !== null && Reflect.get(row, 'clean') === true
}

function commandOf(answer: unknown): unknown {
  return typeof answer === 'object' && answer !== null ? Reflect.get(answer, 'command') : undefined
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
