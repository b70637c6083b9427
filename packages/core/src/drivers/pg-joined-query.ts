import { PgClaimsError } from '../errors.js'
import type { StatementJoin } from '../session/connection.js'
import type { Statement } from '../session/statements.js'
import { isSubmittable, newPgQuery, type PgQuery, type PgQueryClass, type PgWire } from './pg-internals.js'

/** What pg calls a query back with. */
type Callback = (error: Error | null | undefined, result?: unknown) => void

/**
 * A statement waiting on a pipelined `pg` client for the next query the caller's handle sends:
 * that query is written as ONE extended-protocol sequence, the statement's Parse/Bind/Execute and
 * then the query's Parse/Bind/Describe/Execute under a single Sync. PostgreSQL runs both in one
 * implicit transaction, so `set_config(…, true)` holds for the query and ends with it, without
 * `BEGIN` or `COMMIT`; when the statement fails, PostgreSQL skips everything up to the Sync, so
 * the query never runs.
 *
 * @example
 * ```ts
 * const join = new PgJoin(client, client.constructor.Query, settingsStatement(context.settings))
 * const result = await join.send(['select owner from notes where id = $1', [1]])
 * await join.applied // rejects with what the settings statement raised
 * ```
 */
export class PgJoin implements StatementJoin {
  readonly applied: Promise<void>
  readonly committed: Promise<boolean>
  readonly #client: object
  readonly #Query: PgQueryClass
  readonly #statement: Statement
  #taken = false
  #settleApplied!: (error?: unknown) => void
  #settleCommitted!: (committed: boolean) => void

  /** Waits on `client` (pipelined, with pg's `Query` class as `Query`) for its next query. */
  constructor(client: object, Query: PgQueryClass, statement: Statement) {
    this.#client = client
    this.#Query = Query
    this.#statement = statement
    this.applied = new Promise<void>((resolve, reject) => {
      this.#settleApplied = (error) => (error === undefined ? resolve() : reject(error))
    })
    this.committed = new Promise<boolean>((resolve) => {
      this.#settleCommitted = resolve
    })
    this.applied.catch(() => undefined) // read through the engine's own handler
  }

  /** Whether a query has taken the statement (it is then written, or refused). */
  get taken(): boolean {
    return this.#taken
  }

  flush(): void {
    if (this.#taken) return
    this.#taken = true
    const { text, values } = this.#statement
    this.#query({ text, values: [...values], queryMode: 'extended' }, (error?: Error | null) => {
      this.#settleApplied(error ?? undefined)
      this.#settleCommitted(!error)
    })
  }

  /** `client.query(…args)`, on the client this join waits on. */
  #query(...args: unknown[]): unknown {
    return Reflect.apply(Reflect.get(this.#client, 'query') as () => unknown, this.#client, args)
  }

  /**
   * Sends the caller's query (`client.query`'s arguments: text or config, values, callback) with
   * the statement in front of it. Returns what `client.query` would: a promise of the result, or
   * `undefined` when a callback was given. A custom query class (pg-cursor, pg-query-stream) is
   * refused (`CONFIG_INVALID`): it cannot be joined, and pg refuses it in pipeline mode anyway.
   */
  send(args: readonly unknown[]): unknown {
    this.#taken = true
    const [config] = args
    const custom = isSubmittable(config)
    if (custom && !(config instanceof this.#Query)) {
      this.#settleApplied()
      this.#settleCommitted(false)
      return refuse(
        new PgClaimsError(
          'CONFIG_INVALID',
          'A single claims query cannot run a custom query class (pg-cursor, pg-query-stream): use transaction() on a pool without pipelining',
        ),
        args,
      )
    }
    const { query, result } = custom
      ? { query: config as PgQuery, result: config }
      : newPgQuery(this.#Query, args)
    this.#join(query)
    this.#query(query)
    return result
  }

  /** Puts the statement in front of `query` and reads its answers off the query's own. */
  #join(query: PgQuery): void {
    const { text, values } = this.#statement
    const { prepare, handleDataRow, handleCommandComplete, handleError } = query
    const callback = query.callback as Callback | undefined
    let written = false
    let preparing = false
    let answered = false
    /** Whether a named query's statement was already parsed on this connection. */
    let parsedBefore = true
    // the client takes the statement's ParseComplete for the query's: undo that for a named query
    const unmarkParsed = (wire: PgWire, submitted: boolean) => {
      if (!query.name || parsedBefore) return
      delete wire.parsedStatements[query.name]
      if (submitted) wire.submittedNamedStatements[query.name] = query.text ?? ''
    }
    query.queryMode = 'extended' // a simple-protocol message would carry a Sync of its own
    query.prepare = function (wire) {
      parsedBefore = this.hasBeenParsed(wire)
      wire.parse({ text })
      wire.bind({ values: [...values] })
      wire.execute({})
      written = true
      preparing = true
      try {
        prepare.call(this, wire)
      } finally {
        preparing = false
      }
    }
    query.handleDataRow = function (message) {
      if (answered) handleDataRow.call(this, message)
    }
    query.handleCommandComplete = (message, wire) => {
      if (answered) return handleCommandComplete.call(query, message, wire)
      answered = true
      unmarkParsed(wire, true)
      this.#settleApplied()
    }
    query.handleError = (error, wire) => {
      if (written && !preparing && !answered) {
        answered = true
        unmarkParsed(wire, false)
        this.#settleApplied(error)
      }
      return handleError.call(query, error, wire)
    }
    query.callback = (error, result) => {
      if (!written) this.#settleApplied() // refused before anything was sent
      this.#settleCommitted(!error)
      callback?.(error, result)
    }
  }
}

/**
 * Reports `error` the way `client.query` was asked to (its arguments are `args`): to the callback
 * given last, or as a rejected promise.
 *
 * @example
 * ```ts
 * return refuse(new PgClaimsError('TRANSACTION_ENDED', '…'), args)
 * ```
 */
export function refuse(error: Error, args: readonly unknown[]): unknown {
  const callback = args.at(-1)
  if (typeof callback !== 'function') return Promise.reject(error)
  process.nextTick(() => Reflect.apply(callback, undefined, [error]))
  return undefined
}
