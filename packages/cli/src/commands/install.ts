import { DEFAULT_HELPERS_SCHEMA, helpersSql, installHelpers } from '@pg-claims/core'
import pg from 'pg'
import { expectPositionals, helpOption, parseCommand } from '../args.js'
import type { Command } from '../command.js'
import { DatabaseError, UsageError } from '../errors.js'
import { EXIT_CODES, EXIT_CODES_HELP } from '../exit-codes.js'

const options = { 'database-url': { type: 'string' }, schema: { type: 'string' }, ...helpOption } as const

/**
 * `pg-claims install --database-url URL [--schema auth]`: applies the SQL helpers migration.
 *
 * @example
 * ```ts
 * const code = await installCommand.run(['--database-url', 'postgres://admin@localhost/app'], io)
 * ```
 */
export const installCommand: Command = {
  name: 'install',
  summary: 'apply the SQL helpers migration to a database',
  help: `Usage: pg-claims install [--database-url <url>] [--schema <name>]

Applies the SQL helpers migration (the output of "pg-claims sql") to a database, in one
statement batch. It is idempotent: running it again replaces the functions. Connect as a role
that may create the schema (the database owner, or a migration role), not as the login role of
your application.

Options:
  --database-url <url>  PostgreSQL connection URL (default: the DATABASE_URL environment variable)
  --schema <name>       schema to create the helpers in (default: ${DEFAULT_HELPERS_SCHEMA})
  -h, --help            show this help

Example:
  DATABASE_URL=postgres://owner@localhost/app pg-claims install

${EXIT_CODES_HELP}`,
  async run(args, io) {
    const { values, positionals } = parseCommand('install', args, options)
    if (values.help) {
      io.stdout.write(this.help)
      return EXIT_CODES.OK
    }
    expectPositionals('install', positionals, [])
    const connectionString = values['database-url'] ?? io.env.DATABASE_URL
    if (connectionString === undefined || connectionString === '') {
      throw new UsageError(
        'install needs --database-url <url> or the DATABASE_URL environment variable',
        'install',
      )
    }
    const schema = values.schema ?? DEFAULT_HELPERS_SCHEMA
    helpersSql({ schema }) // checks the schema name before connecting
    let client: pg.Client | undefined
    try {
      client = new pg.Client({ connectionString, connectionTimeoutMillis: 10_000 })
      client.on('error', () => {}) // a connection lost while idle is reported by the failing query
      await client.connect()
      await installHelpers(client, { schema })
    } catch (error) {
      throw new DatabaseError(error)
    } finally {
      await client?.end().catch(() => {})
    }
    io.stdout.write(`installed the pg-claims SQL helpers in schema ${schema}\n`)
    return EXIT_CODES.OK
  },
}
