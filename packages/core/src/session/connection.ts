/**
 * What PostgreSQL answered to one statement.
 *
 * @example
 * ```ts
 * const answer: StatementResult = { command: 'COMMIT', rows: [] }
 * ```
 */
export interface StatementResult {
  /** The command tag's verb: `BEGIN`, `SELECT`, `COMMIT`, or `ROLLBACK` for a COMMIT that did not commit. */
  readonly command: string
  readonly rows: readonly unknown[]
}

/**
 * A statement put in front of the next one a lent handle sends, in ONE implicit transaction (see
 * {@link SessionConnection.joinNextStatement}).
 *
 * @example
 * ```ts
 * const join = connection.joinNextStatement?.(settingsStatement(context.settings))
 * await join?.applied // rejects with what the statement raised
 * ```
 */
export interface StatementJoin {
  /** Settles once PostgreSQL has answered the joined statement: rejects with the error it raised. */
  readonly applied: Promise<void>
  /** Resolves once the whole sequence is answered: `true` when its implicit transaction committed. */
  readonly committed: Promise<boolean>
  /** Sends the statement on its own when no handle's statement has taken it (so both promises settle). */
  flush(): void
}

/**
 * What a driver must offer the claims-transaction engine: one checked-out connection.
 * `drivers/pg.ts` implements it for `pg` and pg-compatible pools (Neon's `Pool`).
 *
 * @example
 * ```ts
 * const connection: SessionConnection = await connectPg(pool)
 * try {
 *   await connection.execute({ text: 'select $1::int', values: ['1'] })
 * } finally {
 *   connection.release()
 * }
 * ```
 */
export interface SessionConnection {
  /**
   * `true` when statements go out before earlier ones are answered (`pg` with `pipeline: true`):
   * then the engine sends `BEGIN`, the settings and the first query in one flight.
   */
  readonly pipelined: boolean
  /**
   * `true` when `execute` writes the values into the statement text as literals (postgres.js, where
   * every engine statement is a simple-protocol message): then `COMMIT` and the session check
   * travel as one message too.
   */
  readonly inlinesParameters?: boolean
  /**
   * Sends one statement as an unnamed extended-protocol statement with bind parameters (a simple
   * query when there are none). On a pipelined connection it is written at once, without waiting
   * for what was sent before.
   */
  execute(statement: { readonly text: string; readonly values?: readonly string[] }): Promise<StatementResult>
  /**
   * Holds what {@link SessionConnection.execute} writes from now on, until as many
   * {@link SessionConnection.uncork} calls: the statements of one flight then leave in one write
   * (one system call) instead of one each. Optional; the engine corks only a pipelined connection.
   */
  cork?(): void
  /** Ends one {@link SessionConnection.cork}; the last one writes what was held. */
  uncork?(): void
  /**
   * Optional, on a pipelined connection: the next statement a handle lent by this connection sends
   * is written behind `statement`, both under ONE Sync, so they run in one implicit transaction
   * (no `BEGIN`, no `COMMIT`) and the handle's statement never runs when `statement` fails. The
   * engine then runs a single claims statement as two statements instead of four.
   */
  joinNextStatement?(statement: { readonly text: string; readonly values: readonly string[] }): StatementJoin
  /** Sends statements as ONE simple-protocol message; resolves with each statement's answer, in order. */
  script(text: string): Promise<readonly StatementResult[]>
  /**
   * The error that broke the connection since it was checked out (a killed backend), or that a
   * statement of the work answered for ending the transaction itself (`TRANSACTION_ENDED_EARLY`,
   * see `endsTransaction`), if any. Either way the engine sends no more statements of its own but
   * the session check, reports it, and releasing the connection closes it.
   */
  brokenBy(): Error | undefined
  /** Marks the connection as not to be reused (a `ROLLBACK` failed): releasing it destroys it. */
  discard(reason: Error): void
  /**
   * Optional: makes the next {@link SessionConnection.release} wait until `verdict` settles (the
   * session check's answer, which may discard the connection), so the engine can hand the caller
   * its result without waiting for the check. Without it, the engine waits for the check itself.
   */
  holdRelease?(verdict: Promise<unknown>): void
  /** Gives the connection back to its pool; destroys it when it broke or was discarded. */
  release(): void
}
