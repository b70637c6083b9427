/**
 * Where output goes: `process.stdout` and `process.stderr` fit, and so does any object collecting
 * text in a test.
 *
 * @example
 * ```ts
 * const chunks: string[] = []
 * const sink: TextSink = { write: (text) => chunks.push(text) }
 * ```
 */
export interface TextSink {
  write(text: string): unknown
}

/**
 * The outside world of one CLI run, passed in so that the CLI runs in-process in tests.
 *
 * @example
 * ```ts
 * const io: CliIo = { stdout: process.stdout, stderr: process.stderr, env: process.env }
 * ```
 */
export interface CliIo {
  /** Results: the SQL, the token, the explanation. */
  readonly stdout: TextSink
  /** Errors and diagnostics. */
  readonly stderr: TextSink
  /** Environment variables: `DATABASE_URL`, `JWT_SECRET`. */
  readonly env: Readonly<Record<string, string | undefined>>
  /**
   * The unescaped stdout, present only when stdout is a terminal, for output that colours itself
   * (`lint`). Whoever writes to it escapes every piece of outside text with `escapeControls` first.
   */
  readonly colourOut?: TextSink
}
