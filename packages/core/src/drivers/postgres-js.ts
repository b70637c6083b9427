import type postgres from 'postgres'
import { PgClaimsError } from '../errors.js'
import type { SessionConnection, StatementResult } from '../session/connection.js'
import { type Lease, releaseRefused } from '../session/lease.js'
import { commandsOf, endsTransaction, transactionEndedEarly } from '../session/transaction-end.js'
import { quoteLiteral } from '../sql/literal.js'

/**
 * A postgres.js (`postgres` on npm, >= 3.4) `sql` instance, as core drives it: only `reserve()`.
 *
 * @example
 * ```ts
 * const sql: PostgresJsSql = postgres(process.env.DATABASE_URL!, { prepare: false })
 * ```
 */
export interface PostgresJsSql {
  reserve(): Promise<postgres.ReservedSql<Record<string, unknown>>>
}

/** Error codes postgres.js gives a query whose connection is gone. */
const CONNECTION_LOST = new Set([
  'CONNECTION_CLOSED',
  'CONNECTION_DESTROYED',
  'CONNECTION_ENDED',
  'ECONNRESET',
  'EPIPE',
])

/** Members of the lent handle that would leave the claims transaction's connection. */
const LEAVING = new Set(['begin', 'reserve', 'listen', 'subscribe'])

/**
 * A connection reserved from a postgres.js `sql` (`sql.reserve()`), as the claims engine drives it.
 * postgres.js writes a statement without waiting for the ones before it, so the connection is
 * `pipelined`: `BEGIN`, the settings, the caller's first statement and (for one statement) `COMMIT`
 * leave in one flight. The engine's own statements go in the simple protocol, with the settings'
 * values as quoted literals, so none costs the describe round trip postgres.js makes before every
 * parameterised statement it has not prepared (all of them with `prepare: false`, as transaction
 * poolers need), and none stops the pipeline.
 *
 * @example
 * ```ts
 * await usingPostgresJsConnection(sql, (connection) =>
 *   runClaimsTransaction(connection, context, undefined, (lease) => work(connection.lend(lease))),
 * )
 * ```
 */
export class PostgresJsConnection implements SessionConnection {
  readonly pipelined = true
  readonly inlinesParameters = true
  readonly #reserved: postgres.ReservedSql<Record<string, unknown>>
  #broken: Error | undefined
  #discarded: Error | undefined
  /** Set once a statement of the work ended the transaction (`TRANSACTION_ENDED_EARLY`). */
  #ended: Error | undefined

  /** Takes over `reserved`, just reserved. Use {@link usingPostgresJsConnection}. */
  constructor(reserved: postgres.ReservedSql<Record<string, unknown>>) {
    this.#reserved = reserved
  }

  async execute(statement: { text: string; values?: readonly string[] }): Promise<StatementResult> {
    const answers = await this.#simple(inlineParameters(statement.text, statement.values ?? []))
    return answers.at(-1) ?? answer(undefined)
  }

  script(text: string): Promise<readonly StatementResult[]> {
    return this.#simple(text)
  }

  /** Sends `text` as one simple-protocol message; each statement's answer, in order. */
  async #simple(text: string): Promise<StatementResult[]> {
    // postgres.js would write on the closed socket (a TypeError in a timer): refuse instead
    if (this.#broken !== undefined) throw this.#broken
    const answers: unknown = await this.#watch(this.#reserved.unsafe(text))
    // one statement answers its rows (a RowList); several answer one RowList each
    const several = Array.isArray(answers) && answers.length > 0 && answers.every(Array.isArray)
    return several ? answers.map(answer) : [answer(answers)]
  }

  brokenBy(): Error | undefined {
    return this.#broken ?? this.#ended
  }

  discard(reason: Error): void {
    this.#discarded ??= reason
  }

  /**
   * Gives the connection back to postgres.js. One that broke is not given back: postgres.js takes
   * it back itself when it closes, and releasing it would hand the dead connection out again
   * (postgres.js 3.4.9, porsager/postgres#1199: the next query never settles). A
   * discarded one (a failed `ROLLBACK`, or session state the work left) is reset first
   * (`RESET ROLE; RESET ALL`), and ended by its own backend if even that fails; one whose
   * transaction a statement of the work ended is rolled back first (`COMMIT AND CHAIN` leaves a
   * transaction open; where none is, PostgreSQL answers `ROLLBACK` with a warning).
   */
  release(): void {
    if (this.#broken !== undefined) return
    if (this.#discarded !== undefined || this.#ended !== undefined) {
      // Undo the session state the transaction left (the session check found some): RESET ALL
      // leaves out the role, hence RESET ROLE. Only once that is done is the connection given
      // back; if it cannot be done, its backend is ended instead.
      this.#reserved
        .unsafe(`${this.#ended === undefined ? '' : 'ROLLBACK; '}RESET ROLE; RESET ALL`)
        .then(
          () => this.#reserved.release(),
          () => this.#reserved.unsafe('select pg_catalog.pg_terminate_backend(pg_catalog.pg_backend_pid())'),
        )
        .catch(() => undefined)
      return
    }
    this.#reserved.release()
  }

  /**
   * The `sql` the caller's code is given: the reserved connection's own, except that every query it
   * makes first asks `lease` when postgres.js is about to send it (so none runs once the transaction
   * has ended: `TRANSACTION_ENDED`, even one built inside and awaited after), a query answered with
   * a `COMMIT` or `PREPARE TRANSACTION` tag (it ended the transaction; postgres.js does not report
   * the transaction status, so a `ROLLBACK` cannot be told from `ROLLBACK TO SAVEPOINT`) is answered
   * with `TRANSACTION_ENDED_EARLY` and revokes the lease, `savepoint(fn)` runs
   * `fn` in a savepoint of the transaction (as postgres.js's transaction `sql` does), `release()`
   * throws `RELEASE_REFUSED`, and `begin`, `reserve`, `listen` and `subscribe`, which would run on another
   * connection without the claims, throw `CONFIG_INVALID`.
   *
   * @example
   * ```ts
   * await fn(connection.lend(transaction.lease))
   * ```
   */
  lend<TTypes extends Record<string, unknown>>(
    lease: Lease,
  ): postgres.Sql<TTypes> & Pick<postgres.TransactionSql<TTypes>, 'savepoint'> {
    const admitted = (made: unknown): unknown => {
      if (isQuery(made)) {
        const send = made.handler
        made.handler = (query: PendingStatement) => {
          try {
            lease.admit()
            if (this.#broken !== undefined) throw this.#broken
          } catch (error) {
            query.reject(error)
            return
          }
          this.#watch(query)
          this.#watchEnd(query, lease)
          send(query)
        }
      }
      return made
    }
    let savepoints = 0
    const lent: postgres.Sql<TTypes> & Pick<postgres.TransactionSql<TTypes>, 'savepoint'> = new Proxy(
      this.#reserved,
      {
        apply: (target, thisArg, args) => admitted(Reflect.apply(target, thisArg, args)),
        get: (target, key) => {
          if (key === 'release' || key === 'end' || key === 'close') {
            return () => {
              lease.assertOpen()
              throw releaseRefused()
            }
          }
          if (key === 'savepoint') {
            return async (...args: unknown[]) => {
              const fn = args.find((arg) => typeof arg === 'function') as (
                sql: postgres.Sql<TTypes>,
              ) => unknown
              savepoints += 1
              const name = `pg_claims_savepoint_${savepoints}`
              await lent.unsafe(`savepoint ${name}`)
              try {
                const result = await fn(lent)
                await lent.unsafe(`release savepoint ${name}`)
                return result
              } catch (error) {
                await lent.unsafe(`rollback to savepoint ${name}`)
                throw error
              }
            }
          }
          if (typeof key === 'string' && LEAVING.has(key)) {
            return () => {
              throw new PgClaimsError(
                'CONFIG_INVALID',
                `sql.${key}() would run on another connection, without the claims: inside a claims transaction, run every query on the sql it gives you`,
              )
            }
          }
          const value: unknown = Reflect.get(target, key, target)
          if (typeof value !== 'function') return value
          return (...args: unknown[]) => admitted(Reflect.apply(value, target, args))
        },
      },
    ) as unknown as postgres.Sql<TTypes> & Pick<postgres.TransactionSql<TTypes>, 'savepoint'>
    return lent
  }

  /** Answers `query` with `TRANSACTION_ENDED_EARLY`, and revokes `lease`, when it ended the transaction. */
  #watchEnd(query: PendingStatement, lease: Lease): void {
    const resolve = query.resolve
    query.resolve = (answer) => {
      if (!endsTransaction(commandsOf(answer), undefined)) return resolve.call(query, answer)
      this.#ended ??= transactionEndedEarly()
      lease.revoke()
      query.reject(this.#ended)
    }
  }

  /** Keeps the first error that says the connection is gone; returns `query`. */
  #watch<T extends Promise<unknown>>(query: T): T {
    query.catch((error: unknown) => {
      if (isConnectionLost(error)) this.#broken ??= error
    })
    return query
  }
}

/**
 * Reserves a connection of `sql` for the claims engine, runs `fn` with it, and always gives it back.
 * Call it only after the caller's token was verified, so a bad token never reserves a connection.
 *
 * @example
 * ```ts
 * const context = await scope.context()
 * await usingPostgresJsConnection(sql, (connection) => runClaimsStatement(connection, context, work))
 * ```
 */
export async function usingPostgresJsConnection<T>(
  sql: PostgresJsSql,
  fn: (connection: PostgresJsConnection) => Promise<T>,
): Promise<T> {
  const connection = new PostgresJsConnection(await sql.reserve())
  try {
    return await fn(connection)
  } finally {
    connection.release()
  }
}

/** A postgres.js query before it is sent: its `handler` sends it, once, when it is first awaited. */
interface PendingStatement extends Promise<unknown> {
  handler: (query: PendingStatement) => void
  resolve(answer: unknown): void
  reject(error: unknown): void
}

function isQuery(value: unknown): value is PendingStatement {
  return value instanceof Promise && typeof Reflect.get(value, 'handler') === 'function'
}

function isConnectionLost(error: unknown): error is Error {
  if (!(error instanceof Error)) return false
  const code: unknown = Reflect.get(error, 'code')
  return typeof code === 'string' && (CONNECTION_LOST.has(code) || code.startsWith('57P'))
}

/**
 * `text` with `$1`, `$2`, … replaced by `values` as quoted literals (core's `quoteLiteral`). Only for
 * the engine's own statements (`BEGIN`, the settings statement, the session check, `COMMIT`,
 * `ROLLBACK`): placeholders inside '…' or "…" are left alone, and dollar quoting is refused.
 *
 * @example
 * ```ts
 * inlineParameters("SELECT pg_catalog.set_config($1, $2, true), 'a $1'", ['role', "o'k"])
 * // "SELECT pg_catalog.set_config('role', 'o''k', true), 'a $1'"
 * ```
 */
export function inlineParameters(text: string, values: readonly string[]): string {
  if (values.length === 0) return text
  return text.replace(/'(?:[^']|'')*'|"(?:[^"]|"")*"|\$(\d+)|\$/g, (match, index: string | undefined) => {
    if (match.startsWith("'") || match.startsWith('"')) return match
    if (index === undefined) throw new Error('pg-claims: dollar quoting in an engine statement')
    const value = values[Number(index) - 1]
    if (value === undefined) throw new Error(`pg-claims: no value for ${match}`)
    return quoteLiteral(value)
  })
}

function answer(result: unknown): StatementResult {
  const rows: unknown[] = Array.isArray(result) ? result : []
  const command: unknown = typeof result === 'object' && result !== null ? Reflect.get(result, 'command') : ''
  return { command: typeof command === 'string' ? command : '', rows }
}
