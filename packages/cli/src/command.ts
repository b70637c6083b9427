import type { ExitCode } from './exit-codes.js'
import type { CliIo } from './io.js'

/**
 * One `pg-claims` command: its name, a one-line summary for the overview, its full `--help`, and
 * what it does. `run` throws on failure; the caller turns the error into a message and exit code.
 *
 * @example
 * ```ts
 * const hello: Command = {
 *   name: 'hello',
 *   summary: 'say hello',
 *   help: 'Usage: pg-claims hello\n',
 *   run: async (_args, io) => { io.stdout.write('hello\n'); return 0 },
 * }
 * ```
 */
export interface Command {
  readonly name: string
  readonly summary: string
  readonly help: string
  run(args: readonly string[], io: CliIo): Promise<ExitCode>
}
