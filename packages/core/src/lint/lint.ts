import { PgClaimsError } from '../errors.js'
import { functionName } from '../sql/function-call.js'
import { helpersSchemaName } from '../sql/schema-name.js'
import { readCatalog } from './catalog.js'
import { helpersRules } from './rules-helpers.js'
import { loginRules } from './rules-login.js'
import { policyRules } from './rules-policies.js'
import { preRequestRules } from './rules-pre-request.js'
import { tableRules } from './rules-tables.js'
import { LINT_SEVERITIES, type LintClient, type LintFinding, type LintOptions } from './types.js'

/**
 * Checks a database's row-level security setup for the mistakes that fail silently: tables without
 * RLS or without a policy for a role that has grants, helpers called per row, overlapping or
 * `TO public` policies, a login role that bypasses RLS or cannot switch to the allowed roles,
 * missing or outdated SQL helpers, unindexed policy columns, and a `preRequest` function the login
 * role cannot call. See {@link LintRuleId} for the rules.
 *
 * It only reads the catalogs, inside `BEGIN READ ONLY` … `ROLLBACK`, so any role may run it; lint
 * as the login role of your application (the default `loginRole` is the connected role).
 * Findings come most severe first.
 *
 * @throws PgClaimsError `CONFIG_INVALID` for a Pool instead of one connection, empty or invalid
 *   options, or a login role that does not exist
 * @example
 * ```ts
 * import pg from 'pg'
 * import { lintDatabase } from '@pg-claims/core'
 *
 * const client = new pg.Client({ connectionString: process.env.DATABASE_URL })
 * await client.connect()
 * const findings = await lintDatabase(client, { schemas: ['public'], allowedRoles: ['anon', 'authenticated'] })
 * await client.end()
 * for (const finding of findings) console.log(finding.severity, finding.id, finding.object, finding.message)
 * ```
 */
export async function lintDatabase(client: LintClient, options: LintOptions = {}): Promise<LintFinding[]> {
  if ('totalCount' in client) {
    throw new PgClaimsError(
      'CONFIG_INVALID',
      'lintDatabase takes one connection (a pg Client, or a PoolClient from pool.connect()), not a Pool: its read-only transaction must hold every query',
    )
  }
  const schemas = nonEmptyList('schemas', options.schemas ?? ['public'])
  const allowedRoles = nonEmptyList('allowedRoles', options.allowedRoles ?? ['anon', 'authenticated'])
  const helpersSchema = helpersSchemaName(options.helpersSchema)
  if (options.loginRole !== undefined) nonEmptyList('loginRole', [options.loginRole])
  const preRequest = options.preRequest === undefined ? undefined : functionName(options.preRequest)
  await client.query('BEGIN READ ONLY')
  try {
    // deparsed policy expressions then name every schema but pg_catalog, whatever the caller's path
    await client.query('SET LOCAL search_path = pg_catalog')
    const loginRole =
      options.loginRole ??
      ((await client.query('select current_user::text as name')).rows[0] as { name: string }).name
    const catalog = await readCatalog(client, { schemas, allowedRoles, loginRole, helpersSchema, preRequest })
    const findings = [
      ...tableRules(catalog),
      ...policyRules(catalog),
      ...loginRules(catalog),
      ...helpersRules(catalog),
      ...preRequestRules(catalog),
    ]
    return findings.sort((a, b) => LINT_SEVERITIES.indexOf(a.severity) - LINT_SEVERITIES.indexOf(b.severity))
  } finally {
    await client.query('ROLLBACK')
  }
}

function nonEmptyList(name: string, list: readonly string[]): string[] {
  if (list.length === 0 || list.some((item) => typeof item !== 'string' || item === '')) {
    throw new PgClaimsError(
      'CONFIG_INVALID',
      `lint: ${name} must be non-empty names; got ${JSON.stringify(list)}`,
    )
  }
  return [...list]
}
