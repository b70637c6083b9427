import { DEFAULT_HELPERS_SCHEMA, helpersSql } from '@pg-claims/core'
import { expectPositionals, helpOption, parseCommand } from '../args.js'
import type { Command } from '../command.js'
import { EXIT_CODES, EXIT_CODES_HELP } from '../exit-codes.js'

const options = { schema: { type: 'string' }, ...helpOption } as const

/**
 * `pg-claims sql [--schema auth]`: prints the SQL helpers migration.
 *
 * @example
 * ```ts
 * await sqlCommand.run(['--schema', 'claims'], io) // writes the migration to io.stdout
 * ```
 */
export const sqlCommand: Command = {
  name: 'sql',
  summary: 'print the SQL helpers migration (auth.user_id(), auth.session(), …)',
  help: `Usage: pg-claims sql [--schema <name>]

Prints the SQL helpers migration to stdout: an idempotent script creating the schema and the
functions RLS policies read the claims with (session(), jwt(), user_id(), uid(), organization(),
organization_id(), role(), email(), claim(name)). Save it as a migration, or apply it with
"pg-claims install".

Options:
  --schema <name>  schema to create the helpers in (default: ${DEFAULT_HELPERS_SCHEMA}); lower-case
                   letters, digits and _, not starting with pg_
  -h, --help       show this help

Example:
  pg-claims sql --schema claims > migrations/0001_pg_claims.sql

${EXIT_CODES_HELP}`,
  async run(args, io) {
    const { values, positionals } = parseCommand('sql', args, options)
    if (values.help) {
      io.stdout.write(this.help)
      return EXIT_CODES.OK
    }
    expectPositionals('sql', positionals, [])
    io.stdout.write(helpersSql({ schema: values.schema ?? DEFAULT_HELPERS_SCHEMA }))
    return EXIT_CODES.OK
  },
}
