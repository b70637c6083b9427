import {
  DEFAULT_HELPERS_SCHEMA,
  isPgClaimsError,
  LINT_SEVERITIES,
  type LintFinding,
  type LintSeverity,
  lintDatabase,
} from '@pg-claims/core'
import pg from 'pg'
import { expectPositionals, helpOption, listOption, parseCommand } from '../args.js'
import type { Command } from '../command.js'
import { DatabaseError, UsageError } from '../errors.js'
import { EXIT_CODES, EXIT_CODES_HELP } from '../exit-codes.js'
import type { CliIo, TextSink } from '../io.js'
import { formatLintReport, type LintScope, lintFailed, lintReportJson } from '../lint-output.js'
import { escapeControls } from '../terminal-safe.js'

const options = {
  'database-url': { type: 'string' },
  schema: { type: 'string', multiple: true },
  'allowed-roles': { type: 'string' },
  'login-role': { type: 'string' },
  'helpers-schema': { type: 'string' },
  'pre-request': { type: 'string' },
  'fail-on': { type: 'string' },
  json: { type: 'boolean' },
  ...helpOption,
} as const

/**
 * `pg-claims lint --database-url URL …`: checks the database's row-level security setup
 * (`lintDatabase` of `@pg-claims/core`) and prints each finding with its rule, object, why it
 * matters and the fix. Exits with 1 when a finding reaches `--fail-on` (default `error`).
 *
 * @example
 * ```ts
 * const code = await lintCommand.run(['--database-url', url, '--allowed-roles', 'anon,authenticated', '--json'], io)
 * ```
 */
export const lintCommand: Command = {
  name: 'lint',
  summary: 'check row-level security: tables, policies, roles and helpers (read-only)',
  help: `Usage: pg-claims lint [--database-url <url>] [--schema <name>]… [--allowed-roles <r1,r2>]
                      [--login-role <role>] [--helpers-schema <name>] [--pre-request <schema.fn>]
                      [--fail-on error|warning|info] [--json]

Reads the catalogs, in a read-only transaction that is rolled back, and reports what makes
row-level security fail silently: tables without RLS, or without a policy for a role with
grants; FORCE ROW LEVEL SECURITY missing where the login role owns a table; policies calling
the helpers or current_setting per row instead of in (select …); several permissive policies
for one role and command; policies TO public; a login role that is a superuser, has BYPASSRLS,
owns RLS tables, inherits, cannot switch to an allowed role or may switch to others; missing or
outdated SQL helpers, or their schema owned by another role; policy columns without an index;
a preRequest function that is missing or that the login role may not execute.
Each finding has a stable rule id, a severity, the object, why it matters and the SQL to fix it.

Connect as the login role of your application (the role in your DATABASE_URL), or pass
--login-role: any role may read the catalogs.

Options:
  --database-url <url>      PostgreSQL connection URL (default: the DATABASE_URL environment variable)
  --schema <name>           a schema requests reach; repeat for several (default: public)
  --allowed-roles <list>    comma-separated roles.allowed (default: anon,authenticated)
  --login-role <role>       the role your application logs in as (default: the connected role)
  --helpers-schema <name>   where the SQL helpers are installed (default: ${DEFAULT_HELPERS_SCHEMA})
  --pre-request <schema.fn> your preRequest function: check that the login role can call it
  --fail-on <severity>      exit with 1 when a finding is this severe or more: error (default),
                            warning or info
  --json                    print one JSON document { ok, failOn, counts, findings } for CI
  -h, --help                show this help

Example:
  pg-claims lint --database-url "$DATABASE_URL" --schema public --allowed-roles anon,authenticated

${EXIT_CODES_HELP}`,
  async run(args, io) {
    const { values, positionals } = parseCommand('lint', args, options)
    if (values.help) {
      io.stdout.write(this.help)
      return EXIT_CODES.OK
    }
    expectPositionals('lint', positionals, [])
    const connectionString = values['database-url'] ?? io.env.DATABASE_URL
    if (connectionString === undefined || connectionString === '') {
      throw new UsageError('lint needs --database-url <url> or the DATABASE_URL environment variable', 'lint')
    }
    const failOn = severityOption(values['fail-on'] ?? 'error')
    const allowedRoles = listOption(values['allowed-roles'] ?? 'anon,authenticated')
    if (allowedRoles.length === 0) throw new UsageError('--allowed-roles needs at least one role', 'lint')
    const scope: LintScope = {
      schemas: values.schema ?? ['public'],
      allowedRoles,
      loginRole: values['login-role'],
      helpersSchema: values['helpers-schema'] ?? DEFAULT_HELPERS_SCHEMA,
    }
    const findings = await withClient(connectionString, (client) =>
      lintDatabase(client, {
        schemas: scope.schemas,
        allowedRoles: scope.allowedRoles,
        helpersSchema: scope.helpersSchema,
        ...(scope.loginRole !== undefined && { loginRole: scope.loginRole }),
        ...(values['pre-request'] !== undefined && { preRequest: values['pre-request'] }),
      }),
    )
    const colourOut = colourFor(io)
    if (values.json) io.stdout.write(lintReportJson(findings, failOn))
    else if (colourOut === undefined) io.stdout.write(formatLintReport(findings, scope, { colour: false }))
    else colourOut.write(formatLintReport(findings.map(escapedFinding), scope, { colour: true }))
    return lintFailed(findings, failOn) ? EXIT_CODES.LINT_FAILED : EXIT_CODES.OK
  },
}

function severityOption(text: string): LintSeverity {
  const severity = LINT_SEVERITIES.find((candidate) => candidate === text)
  if (severity === undefined) {
    throw new UsageError(`--fail-on must be error, warning or info; got ${JSON.stringify(text)}`, 'lint')
  }
  return severity
}

/** The terminal to colour, when stdout is one, unless NO_COLOR is set (https://no-color.org). */
function colourFor(io: CliIo): TextSink | undefined {
  const noColour = io.env.NO_COLOR !== undefined && io.env.NO_COLOR !== ''
  return noColour ? undefined : io.colourOut
}

/** A finding whose database-made text (names, expressions) can no longer drive the terminal. */
function escapedFinding(finding: LintFinding): LintFinding {
  return {
    ...finding,
    object: escapeControls(finding.object),
    message: escapeControls(finding.message),
    ...(finding.fix !== undefined && { fix: escapeControls(finding.fix) }),
  }
}

/** Connects, runs `work`, and always closes; connection and query failures are database errors. */
async function withClient<T>(connectionString: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString, connectionTimeoutMillis: 10_000 })
  client.on('error', () => {}) // a connection lost while idle is reported by the failing query
  try {
    await client.connect()
    return await work(client)
  } catch (error) {
    if (isPgClaimsError(error)) throw error // CONFIG_INVALID: an unknown login role, a bad schema name
    throw new DatabaseError(error)
  } finally {
    await client.end().catch(() => {})
  }
}
