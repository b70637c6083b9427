import { PgClaimsError } from '../errors.js'
import type { ClaimsContext } from '../serialize/context.js'
import type { SessionConnection } from './connection.js'
import { Lease } from './lease.js'
import { fromOpeningError } from './pre-request-error.js'
import {
  beginWithClaimsSql,
  COMMIT,
  commitWithCheckSql,
  ROLLBACK,
  sessionCheckStatement,
  settingsStatement,
} from './statements.js'
import { beginStatement, type TransactionOptions } from './transaction-options.js'

/**
 * One claims transaction on one connection: begin with the settings → the caller's work → commit or
 * roll back → give the connection back. Every adapter runs its transactions through this class
 * (step by step, as Kysely's driver does) or through {@link runClaimsTransaction} and
 * {@link runClaimsStatement}.
 *
 * How it opens:
 * - on a pipelined connection, `BEGIN` and the settings statement (names and values as bind
 *   parameters; it calls the pre-request function too, when one is configured) are written at once
 *   and NOT awaited, so the work's first statement leaves in the same flight, and in the same
 *   write: the connection is corked until that statement is written (or the event loop turns); a
 *   failure aborts the transaction, every statement behind it fails, and the caller is given the
 *   typed error (`ROLE_UNKNOWN`, `ROLE_NOT_GRANTED`, `PRE_REQUEST_FAILED`);
 * - otherwise `BEGIN …; SELECT FROM ROWS FROM (pg_catalog.set_config(…), …) s` goes as one
 *   simple-protocol message and is awaited before the work runs.
 *
 * @example
 * ```ts
 * const transaction = await ClaimsTransaction.open(connection, context)
 * try {
 *   await work(transaction.lease)
 *   await transaction.commit()
 * } catch (error) {
 *   throw await transaction.fail(error)
 * } finally {
 *   transaction.end()
 * }
 * ```
 */
export class ClaimsTransaction {
  /** The right to send statements in this transaction; revoked when it ends. */
  readonly lease = new Lease()
  readonly #connection: SessionConnection
  /** Settles when BEGIN and the settings are answered: with the typed error when they failed. */
  readonly #opened: Promise<unknown>
  readonly #context: ClaimsContext<unknown>
  /** What `COMMIT` answered (its command tag), once it was sent. */
  #commit: Promise<string> | undefined
  /** Set once commit() or fail() has taken over: a late #afterFirstStatement() must not write COMMIT. */
  #settling = false
  /** Whether `COMMIT` is written right behind the work's first statement (a single statement). */
  #commitAfterFirst = false
  /** Whether this transaction's opening statements are still held on the connection (cork). */
  #corked = false

  private constructor(
    connection: SessionConnection,
    context: ClaimsContext<unknown>,
    opened: Promise<unknown>,
  ) {
    this.#connection = connection
    this.#context = context
    this.#opened = opened
  }

  /**
   * Opens a claims transaction on `connection` (see the class for how). Never rejects for what
   * PostgreSQL answers: a failure is reported by {@link ClaimsTransaction.commit} and
   * {@link ClaimsTransaction.fail}, and on a connection that does not pipeline by
   * {@link ClaimsTransaction.openFailure} before any work runs. Throws `CONFIG_INVALID` for bad
   * options, before anything is sent.
   *
   * @example
   * ```ts
   * const transaction = await ClaimsTransaction.open(connection, context, { accessMode: 'read only' })
   * ```
   */
  static async open(
    connection: SessionConnection,
    context: ClaimsContext<unknown>,
    options?: TransactionOptions,
  ): Promise<ClaimsTransaction> {
    const failure = (error: unknown) =>
      fromOpeningError(error, context.role, context.preRequestCall !== undefined)
    if (connection.pipelined) {
      const begin = { text: beginStatement(options) }
      const settings = settingsStatement(context.settings, context.preRequestCall)
      // held until the work's first statement is written behind them (one write for the flight),
      // or until the event loop turns, whichever comes first
      connection.cork?.()
      const answers = [connection.execute(begin), connection.execute(settings)]
      const transaction = new ClaimsTransaction(
        connection,
        context,
        Promise.all(answers).then(() => undefined, failure),
      )
      transaction.#corked = true
      // admit() runs right before the handle writes its statement; the microtask runs after it did
      transaction.lease.onFirstStatement(() => queueMicrotask(() => transaction.#afterFirstStatement()))
      // work that waits for something else first (I/O) does not hold BEGIN and the settings back
      setImmediate(() => transaction.#uncork())
      return transaction
    }
    const opened = await connection
      .script(beginWithClaimsSql(context, options))
      .then(() => undefined, failure)
    return new ClaimsTransaction(connection, context, Promise.resolve(opened))
  }

  /**
   * The typed error applying the settings raised, or `undefined` once they are in place. Waits for
   * PostgreSQL's answer on a pipelined connection.
   *
   * @example
   * ```ts
   * const failure = await transaction.openFailure()
   * if (failure !== undefined) throw await transaction.fail(failure)
   * ```
   */
  openFailure(): Promise<unknown> {
    this.#uncork()
    return this.#opened
  }

  /**
   * On a pipelined connection, writes `COMMIT` right behind the work's first statement, without
   * waiting, and revokes the lease at that moment so nothing can follow it: `BEGIN`, the settings,
   * the statement and `COMMIT` leave in one flight (and one write). For a transaction of a single
   * statement; {@link ClaimsTransaction.commit} then reports the outcome.
   *
   * @example
   * ```ts
   * const transaction = await ClaimsTransaction.open(connection, context)
   * transaction.commitAfterFirstStatement()
   * ```
   */
  commitAfterFirstStatement(): void {
    this.#commitAfterFirst = true
  }

  /** Runs once the work's first statement is written: `COMMIT` behind it when asked, then the write. */
  #afterFirstStatement(): void {
    if (this.#commitAfterFirst) {
      this.lease.revoke()
      if (!this.#settling) {
        this.#commit ??= this.#sendCommit()
        this.#commit.catch(() => undefined) // reported by commit() or fail()
      }
    }
    this.#uncork()
  }

  /** Writes the statements held since {@link ClaimsTransaction.open}; before anything awaits an answer. */
  #uncork(): void {
    if (!this.#corked) return
    this.#corked = false
    this.#connection.uncork?.()
  }

  /**
   * Commits. Throws the typed settings error when the settings failed (nothing is committed then),
   * PostgreSQL's error when `COMMIT` fails, and `TRANSACTION_ROLLED_BACK` when `COMMIT` answered
   * `ROLLBACK` (a statement failed and its error was caught).
   *
   * @example
   * ```ts
   * await transaction.commit()
   * ```
   */
  async commit(): Promise<void> {
    this.#settling = true
    this.lease.revoke()
    this.#uncork()
    const failure = await this.#opened
    if (failure !== undefined) throw failure
    this.#commit ??= this.#sendCommit()
    if ((await this.#commit) !== COMMIT) {
      throw new PgClaimsError(
        'TRANSACTION_ROLLED_BACK',
        'COMMIT answered ROLLBACK: a statement of this transaction failed (its error was caught), so nothing was committed',
      )
    }
  }

  /**
   * Ends the transaction after `error` and returns the error the caller should see: the connection's
   * own error when it broke, the typed settings error when the settings failed (the statements
   * behind them failed only because of it), otherwise `error`. Rolls back unless `COMMIT` was
   * already sent or the connection is dead.
   *
   * @example
   * ```ts
   * catch (error) { throw await transaction.fail(error) }
   * ```
   */
  async fail(error: unknown): Promise<unknown> {
    this.#settling = true
    this.lease.revoke()
    this.#uncork()
    const reported = await this.explain(error)
    if (this.#commit !== undefined) {
      await this.#commit.catch(() => undefined)
    } else if (this.#connection.brokenBy() === undefined) {
      try {
        await this.#connection.execute({ text: ROLLBACK })
      } catch (caught) {
        this.#connection.discard(caught instanceof Error ? caught : new Error(String(caught)))
      }
    }
    return reported
  }

  /**
   * Sends `COMMIT` and, in the same flight, the session check: a connection whose work changed its
   * session state (a session-level `SET ROLE`, `set_config(…, false)` of a setting the transaction
   * wrote) is discarded, so that state can never reach the pool's next borrower.
   */
  #sendCommit(): Promise<string> {
    const connection = this.#connection
    const settings = this.#context.settings
    const answers =
      connection.pipelined && connection.inlinesParameters !== true
        ? this.#writeTogether(() => [
            connection.execute({ text: COMMIT }),
            connection.execute(sessionCheckStatement(settings)),
          ])
        : connection.script(commitWithCheckSql(settings))
    return answers.then(([commit, check]) => {
      const clean = (check?.rows[0] as { clean?: unknown } | undefined)?.clean === true
      if (!clean) connection.discard(new Error('the transaction left session-level state on its connection'))
      return commit?.command ?? ''
    })
  }

  /** Runs `write` with the connection corked, so the statements it writes leave in one write. */
  #writeTogether<T>(write: () => readonly Promise<T>[]): Promise<T[]> {
    this.#connection.cork?.()
    try {
      return Promise.all(write())
    } finally {
      this.#connection.uncork?.()
    }
  }

  /**
   * The error a failed statement of this transaction stands for: the connection's own error when it
   * broke, the typed settings error when the settings failed, otherwise `error` itself.
   *
   * @example
   * ```ts
   * try { return await client.query(sql) } catch (error) { throw await transaction.explain(error) }
   * ```
   */
  async explain(error: unknown): Promise<unknown> {
    this.#uncork()
    return this.#connection.brokenBy() ?? (await this.#opened) ?? error
  }

  /**
   * Revokes the lease: every handle of this transaction refuses to send from now on. The connection
   * stays checked out; its owner releases it.
   *
   * @example
   * ```ts
   * finally { transaction.end() }
   * ```
   */
  end(): void {
    this.lease.revoke()
    this.#uncork()
  }
}

/**
 * Runs `work` in a claims transaction on `connection`: commits when `work` resolves, rolls back
 * and rethrows (the typed settings error first) when it throws, and revokes the lease `work`'s
 * handle checks before every statement. The caller releases the connection.
 *
 * @example
 * ```ts
 * await usingPgConnection(pool, (connection) =>
 *   runClaimsTransaction(connection, context, undefined, (lease) => work(connection.lend(lease))),
 * )
 * ```
 */
export async function runClaimsTransaction<T>(
  connection: SessionConnection,
  context: ClaimsContext<unknown>,
  options: TransactionOptions | undefined,
  work: (lease: Lease) => Promise<T>,
): Promise<T> {
  const transaction = await ClaimsTransaction.open(connection, context, options)
  return settle(transaction, async () => {
    if (!connection.pipelined) {
      const failure = await transaction.openFailure()
      if (failure !== undefined) throw failure
    }
    return work(transaction.lease)
  })
}

/**
 * Runs ONE statement in a claims transaction of its own on `connection` (the caller releases it).
 * On a pipelined connection `COMMIT` is written right behind the statement, once `work`'s handle
 * has sent it (the lease tells), so `BEGIN`, the settings, the statement and `COMMIT` leave in one
 * flight; the lease is revoked at that moment, so nothing can run after `COMMIT` outside the
 * transaction. Without pipelining it is {@link runClaimsTransaction}.
 *
 * @example
 * ```ts
 * await runClaimsStatement(connection, context, (lease) => connection.lend(lease).query(text, values))
 * ```
 */
export async function runClaimsStatement<T>(
  connection: SessionConnection,
  context: ClaimsContext<unknown>,
  work: (lease: Lease) => Promise<T>,
): Promise<T> {
  if (!connection.pipelined) return runClaimsTransaction(connection, context, undefined, work)
  const transaction = await ClaimsTransaction.open(connection, context)
  transaction.commitAfterFirstStatement()
  return settle(transaction, () => work(transaction.lease))
}

/** Runs `work`, then commits; on any error rolls back and rethrows what the caller should see. */
async function settle<T>(transaction: ClaimsTransaction, work: () => Promise<T>): Promise<T> {
  try {
    const result = await work()
    await transaction.commit()
    return result
  } catch (error) {
    throw await transaction.fail(error)
  } finally {
    transaction.end()
  }
}
