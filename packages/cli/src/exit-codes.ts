/**
 * The exit codes of `pg-claims`, one per kind of failure, so scripts can tell them apart.
 *
 * | code | meaning |
 * | --- | --- |
 * | 0 | success |
 * | 1 | the token was refused (expired, bad signature, role not allowed …) or cannot be stored; `lint`: a finding at or above `--fail-on` |
 * | 2 | usage error: unknown command or option, missing or invalid argument, invalid configuration |
 * | 3 | database error: could not connect, or PostgreSQL refused the migration or the lint queries |
 * | 4 | unexpected internal error |
 *
 * @example
 * ```ts
 * const code = await run(['explain', token, '--secret', secret], io)
 * if (code === EXIT_CODES.TOKEN_REFUSED) console.error('bad token')
 * ```
 */
export const EXIT_CODES = {
  OK: 0,
  TOKEN_REFUSED: 1,
  LINT_FAILED: 1,
  USAGE: 2,
  DATABASE: 3,
  INTERNAL: 4,
} as const

/**
 * One of the {@link EXIT_CODES}.
 *
 * @example
 * ```ts
 * const code: ExitCode = EXIT_CODES.USAGE // 2
 * ```
 */
export type ExitCode = (typeof EXIT_CODES)[keyof typeof EXIT_CODES]

/**
 * The exit codes as they are listed in `--help`.
 *
 * @example
 * ```ts
 * io.stdout.write(`${usage}\n${EXIT_CODES_HELP}`)
 * ```
 */
export const EXIT_CODES_HELP = `Exit codes:
  0  success
  1  the token was refused (expired, bad signature, role not allowed, …) or a claim cannot be stored;
     lint: a finding at or above --fail-on
  2  usage error: unknown command or option, missing or invalid argument, invalid configuration
  3  database error: could not connect, or PostgreSQL refused the migration or the lint queries
  4  unexpected internal error
`
