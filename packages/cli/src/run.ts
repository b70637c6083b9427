import type { Command } from './command.js'
import { explainCommand } from './commands/explain.js'
import { installCommand } from './commands/install.js'
import { lintCommand } from './commands/lint.js'
import { sqlCommand } from './commands/sql.js'
import { tokenCommand } from './commands/token.js'
import { reportError, UsageError } from './errors.js'
import { EXIT_CODES, EXIT_CODES_HELP, type ExitCode } from './exit-codes.js'
import type { CliIo } from './io.js'
import { terminalSafeIo } from './terminal-safe.js'
import { cliVersion } from './version.js'

/**
 * Every command, in the order `--help` lists them.
 *
 * @example
 * ```ts
 * commands.map((command) => command.name) // ['sql', 'install', 'token', 'explain', 'lint']
 * ```
 */
export const commands: readonly Command[] = [
  sqlCommand,
  installCommand,
  tokenCommand,
  explainCommand,
  lintCommand,
]

/**
 * The overview `pg-claims --help` prints.
 *
 * @example
 * ```ts
 * io.stdout.write(mainHelp())
 * ```
 */
export function mainHelp(): string {
  const width = Math.max(...commands.map((command) => command.name.length))
  return `pg-claims ${cliVersion()}: verified JWT claims as transaction-local PostgreSQL settings for RLS

Usage: pg-claims <command> [options]
       pg-claims <command> --help
       pg-claims --version

Commands:
${commands.map((command) => `  ${command.name.padEnd(width)}  ${command.summary}`).join('\n')}

Environment:
  DATABASE_URL  connection URL for install and lint when --database-url is not given
  JWT_SECRET    shared secret for token and explain when --secret is not given

${EXIT_CODES_HELP}`
}

/**
 * Runs the CLI in-process: `argv` without the node and script paths, all output through `io`.
 * Returns the exit code and never throws; errors are written to `io.stderr` as `error CODE: message`.
 * Control characters in anything printed (token content above all) are escaped ({@link terminalSafeIo}).
 *
 * @example
 * ```ts
 * const code = await run(['sql', '--schema', 'claims'], { stdout: process.stdout, stderr: process.stderr, env: process.env })
 * ```
 */
export async function run(argv: readonly string[], rawIo: CliIo): Promise<ExitCode> {
  const io = terminalSafeIo(rawIo)
  try {
    const [name, ...args] = argv
    if (name === undefined) {
      io.stderr.write(mainHelp())
      return EXIT_CODES.USAGE
    }
    if (name === '--help' || name === '-h') {
      io.stdout.write(mainHelp())
      return EXIT_CODES.OK
    }
    if (name === '--version' || name === '-v') {
      io.stdout.write(`${cliVersion()}\n`)
      return EXIT_CODES.OK
    }
    if (name === 'help') {
      const [topic, ...rest] = args
      if (topic === undefined) {
        io.stdout.write(mainHelp())
        return EXIT_CODES.OK
      }
      if (rest.length > 0) throw new UsageError('help takes one command name')
      io.stdout.write(findCommand(topic).help)
      return EXIT_CODES.OK
    }
    return await findCommand(name).run(args, io)
  } catch (error) {
    return reportError(error, io)
  }
}

function findCommand(name: string): Command {
  const command = commands.find((candidate) => candidate.name === name)
  if (command === undefined) {
    const known = commands.map((candidate) => candidate.name).join(', ')
    throw new UsageError(`unknown command ${JSON.stringify(name)}; the commands are ${known}`)
  }
  return command
}
