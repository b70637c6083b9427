import { isPgClaimsError } from '@pg-claims/core'
import { EXIT_CODES, type ExitCode } from './exit-codes.js'
import type { CliIo } from './io.js'

/**
 * A mistake in the command line: reported as `error USAGE: …` with exit code 2.
 *
 * @example
 * ```ts
 * throw new UsageError('explain needs a token')
 * ```
 */
export class UsageError extends Error {
  override readonly name = 'UsageError'
  /** The command whose `--help` the message points to, if any. */
  readonly command: string | undefined

  constructor(message: string, command?: string) {
    super(message)
    this.command = command
  }
}

/**
 * A failure talking to PostgreSQL: reported as `error DATABASE: …` with exit code 3.
 *
 * @example
 * ```ts
 * try { await client.connect() } catch (error) { throw new DatabaseError(error) }
 * ```
 */
export class DatabaseError extends Error {
  override readonly name = 'DatabaseError'
  /** The SQLSTATE PostgreSQL answered with, or the Node.js error code (`ECONNREFUSED`). */
  readonly sqlState: string | undefined

  constructor(cause: unknown) {
    super(messageOf(cause), { cause })
    const code = typeof cause === 'object' && cause !== null && 'code' in cause ? cause.code : undefined
    this.sqlState = typeof code === 'string' ? code : undefined
  }
}

/**
 * Writes `error CODE: message` to stderr and returns the exit code for `error`.
 *
 * @example
 * ```ts
 * try { return await command.run(args, io) } catch (error) { return reportError(error, io) }
 * ```
 */
export function reportError(error: unknown, io: CliIo): ExitCode {
  if (error instanceof UsageError) {
    const help = error.command === undefined ? 'pg-claims --help' : `pg-claims ${error.command} --help`
    io.stderr.write(`error USAGE: ${error.message}\n(see ${help})\n`)
    return EXIT_CODES.USAGE
  }
  if (isPgClaimsError(error)) {
    io.stderr.write(`error ${error.code}: ${error.message}\n`)
    return error.code === 'CONFIG_INVALID' ? EXIT_CODES.USAGE : EXIT_CODES.TOKEN_REFUSED
  }
  if (error instanceof DatabaseError) {
    const state = error.sqlState === undefined ? '' : ` (${error.sqlState})`
    io.stderr.write(`error DATABASE: ${error.message}${state}\n`)
    return EXIT_CODES.DATABASE
  }
  io.stderr.write(`error INTERNAL: ${messageOf(error)}\n`)
  return EXIT_CODES.INTERNAL
}

/**
 * The message of anything thrown.
 *
 * @example
 * ```ts
 * messageOf(new Error('boom')) // 'boom'
 * messageOf('boom') // 'boom'
 * ```
 */
export function messageOf(error: unknown): string {
  if (error instanceof AggregateError && error.errors.length > 0) {
    return error.errors.map(messageOf).join('; ')
  }
  if (error instanceof Error) return error.message || error.name
  return String(error)
}
