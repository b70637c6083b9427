import { PgClaimsError } from '../errors.js'
import type { ClaimsContext } from '../serialize/context.js'
import type { SessionConnection, StatementJoin, StatementResult } from './connection.js'
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
 * - otherwise `BEGIN …; SELECT WHERE pg_catalog.cardinality(ARRAY[pg_catalog.set_config(…), …]) =
 *   N` goes as one simple-protocol message and is awaited before the work runs.
 *
 * A single statement ({@link runClaimsStatement}) on a connection that can join statements
 * (`joinNextStatement`, `pg` with `pipeline: true`) needs neither `BEGIN` nor `COMMIT`: the
 * settings statement is written in front of the handle's statement under one Sync, so PostgreSQL
 * runs both in one implicit transaction; the session check follows in the same flight.
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
  /** The settings waiting in front of the handle's single statement (a joined transaction). */
  #join: StatementJoin | undefined

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
    const failure = openingFailure(context)
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
   * A transaction of ONE statement on a connection that joins statements: the settings go in front
   * of the handle's statement, in its implicit transaction (see the class). The lease is revoked
   * as that statement is admitted, so no second statement can follow it outside the transaction;
   * the session check is written behind it, in the same flight and the same write (the connection
   * is corked from the statement's admission until then).
   */
  static #joined(
    connection: SessionConnection,
    context: ClaimsContext<unknown>,
    joinNextStatement: NonNullable<SessionConnection['joinNextStatement']>,
  ): ClaimsTransaction {
    const join = joinNextStatement.call(
      connection,
      settingsStatement(context.settings, context.preRequestCall),
    )
    const transaction = new ClaimsTransaction(
      connection,
      context,
      join.applied.then(() => undefined, openingFailure(context)),
    )
    transaction.#join = join
    transaction.#commitAfterFirst = true
    // nothing is written before the handle's statement, which carries the settings: hold the
    // connection from then until the session check is written behind it (one write)
    transaction.lease.onFirstStatement(() => {
      transaction.lease.revoke()
      connection.cork?.()
      transaction.#corked = true
      queueMicrotask(() => transaction.#afterFirstStatement())
    })
    return transaction
  }

  /**
   * Opens a transaction for ONE statement on a pipelined connection, as {@link runClaimsStatement}
   * does: joined to the statement when the connection can (see the class), otherwise as
   * {@link ClaimsTransaction.open} with `COMMIT` written right behind the statement. Either way the
   * lease is revoked once the statement is sent; {@link ClaimsTransaction.commit} reports the outcome.
   *
   * @example
   * ```ts
   * const transaction = await ClaimsTransaction.openForStatement(connection, context)
   * ```
   */
  static async openForStatement(
    connection: SessionConnection,
    context: ClaimsContext<unknown>,
  ): Promise<ClaimsTransaction> {
    const { joinNextStatement } = connection
    if (joinNextStatement !== undefined)
      return ClaimsTransaction.#joined(connection, context, joinNextStatement)
    const transaction = await ClaimsTransaction.open(connection, context)
    transaction.#commitAfterFirst = true
    return transaction
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
    this.#letGo()
    return this.#opened
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

  /**
   * Before anything awaits an answer: sends the joined settings on their own when no statement took
   * them (so their outcome is known), and writes what is held.
   */
  #letGo(): void {
    this.#join?.flush()
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
    this.#letGo()
    const failure = await this.#opened
    if (failure !== undefined) throw failure
    // a statement of the work ended the transaction (TRANSACTION_ENDED_EARLY): nothing to commit
    this.#throwIfBroken()
    this.#commit ??= this.#sendCommit()
    const outcome = await this.#commit
    // …or did so unawaited, answered only now, ahead of COMMIT
    this.#throwIfBroken()
    if (outcome !== COMMIT) {
      throw new PgClaimsError(
        'TRANSACTION_ROLLED_BACK',
        'COMMIT answered ROLLBACK: a statement of this transaction failed (its error was caught), so nothing was committed',
      )
    }
  }

  /** Throws what broke the connection or ended the transaction early, if anything did. */
  #throwIfBroken(): void {
    const broken = this.#connection.brokenBy()
    if (broken !== undefined) throw broken
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
    this.#letGo()
    const reported = await this.explain(error)
    // a joined statement has ended with its implicit transaction: only the session check is owed
    if (this.#join !== undefined && this.#connection.brokenBy() === undefined)
      this.#commit ??= this.#sendCommit()
    if (this.#commit !== undefined) {
      await this.#commit.catch(() => undefined)
    } else if (this.#join === undefined && this.#connection.brokenBy() === undefined) {
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
   * wrote) is discarded, so that state can never reach the pool's next borrower. A joined statement
   * committed (or not) at its own Sync: only the check is sent, and the command tag is the outcome.
   * Resolves with the outcome; see {@link ClaimsTransaction.#afterCheck} for when.
   */
  #sendCommit(): Promise<string> {
    const connection = this.#connection
    const settings = this.#context.settings
    const check = () => connection.execute(sessionCheckStatement(settings))
    const join = this.#join
    if (join !== undefined) {
      return this.#afterCheck(
        check(),
        join.committed.then((committed) => (committed ? COMMIT : ROLLBACK)),
      )
    }
    if (connection.pipelined && connection.inlinesParameters !== true) {
      const [commit, answer] = this.#writeTogether(() => [connection.execute({ text: COMMIT }), check()])
      return this.#afterCheck(
        answer,
        commit.then((result) => result.command),
      )
    }
    return connection.script(commitWithCheckSql(settings)).then(([commit, answer]) => {
      this.#judge(answer)
      return commit?.command ?? ''
    })
  }

  /**
   * `outcome` (the command tag `COMMIT` answered), as soon as it is known where the connection can
   * hold its release until the session check's verdict is in (`holdRelease`): the caller does not
   * wait for the check, and the connection still never goes back to the pool before it. Otherwise
   * once both are in.
   */
  #afterCheck(check: Promise<StatementResult>, outcome: Promise<string>): Promise<string> {
    const connection = this.#connection
    const verdict = check.then(
      (answer) => this.#judge(answer),
      (error: unknown) => connection.discard(error instanceof Error ? error : new Error(String(error))),
    )
    if (connection.holdRelease === undefined) return Promise.all([outcome, verdict]).then(([tag]) => tag)
    connection.holdRelease(verdict)
    return outcome
  }

  /** Discards the connection unless the session check answered `clean`. */
  #judge(check: StatementResult | undefined): void {
    const clean = (check?.rows[0] as { clean?: unknown } | undefined)?.clean === true
    if (!clean)
      this.#connection.discard(new Error('the transaction left session-level state on its connection'))
  }

  /** Runs `write` with the connection corked, so the statements it writes leave in one write. */
  #writeTogether<T>(write: () => T): T {
    this.#connection.cork?.()
    try {
      return write()
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
    this.#letGo()
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
    this.#letGo()
  }
}

/** What a failure to open a transaction under `context` stands for (see `fromOpeningError`). */
function openingFailure(context: ClaimsContext<unknown>): (error: unknown) => unknown {
  return (error) => fromOpeningError(error, context.role, context.preRequestCall !== undefined)
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
 * On a pipelined connection everything leaves in one flight, once `work`'s handle has sent its
 * statement (the lease tells), and the lease is revoked at that moment, so nothing can run outside
 * the transaction:
 * - where the connection joins statements (`pg`), the settings statement and the handle's statement
 *   go under one Sync, in one implicit transaction, then the session check: two statements where a
 *   plain query sends one;
 * - otherwise `BEGIN`, the settings, the statement, `COMMIT` and the session check.
 *
 * Without pipelining it is {@link runClaimsTransaction}.
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
  const transaction = await ClaimsTransaction.openForStatement(connection, context)
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
