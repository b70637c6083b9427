import { HELPERS_VERSION, helpersSql } from '../sql/helpers.js'
import type { CatalogSnapshot } from './catalog.js'
import { ident, listed } from './sql-names.js'
import type { LintFinding } from './types.js'

const VERSION_COMMENT = /^pg-claims helpers v(\d+)$/

/** The functions `helpersSql` creates in `schema`, read from the migration itself. */
function helperFunctionNames(schema: string): string[] {
  const created = helpersSql({ schema }).matchAll(
    new RegExp(`create or replace function ${schema}\\.(\\w+)\\(`, 'g'),
  )
  return [...new Set([...created].map((match) => match[1]!))]
}

/**
 * `helpers_missing`, `helpers_outdated` and `helpers_schema_foreign_owner`: are the SQL helpers
 * the policies call there, current, and out of reach of the roles requests run as?
 */
export function helpersRules(catalog: CatalogSnapshot): LintFinding[] {
  const schema = catalog.helpersSchema
  const object = `schema ${schema}`
  const install = `run "pg-claims install --schema ${schema}" (or installHelpers) as the role that should own them`
  const { helpers } = catalog
  if (helpers === undefined) {
    return [
      {
        id: 'helpers_missing',
        severity: 'error',
        object,
        message: `The SQL helpers schema ${schema} does not exist, so every policy calling ${schema}.user_id() and the like fails. ${install}; if you installed them elsewhere, lint with that helpers schema.`,
      },
    ]
  }
  const findings: LintFinding[] = []
  const present = new Set(helpers.functions.map((fn) => fn.name))
  const missing = helperFunctionNames(schema).filter((name) => !present.has(name))
  if (missing.length > 0) {
    findings.push({
      id: 'helpers_missing',
      severity: 'error',
      object,
      message: `The SQL helpers ${listed(missing.map((name) => `${schema}.${name}()`))} are missing: policies calling them fail. ${install}.`,
    })
  }
  const recorded = VERSION_COMMENT.exec(helpers.comment ?? '')
  const version = recorded === null ? undefined : Number(recorded[1])
  if (version === undefined || version < HELPERS_VERSION) {
    findings.push({
      id: 'helpers_outdated',
      severity: 'warning',
      object,
      message: `The SQL helpers were installed by ${version === undefined ? 'a pg-claims that recorded no version' : `pg-claims helpers v${version}`}; this release installs v${HELPERS_VERSION}. ${install}: the migration is idempotent.`,
    })
  }
  const installers = [...new Set(helpers.functions.map((fn) => fn.owner))]
  const requestRoles = new Set([catalog.login.name, ...catalog.allowedRoles.map((role) => role.name)])
  const foreign = installers.filter((owner) => owner !== helpers.owner)
  if (requestRoles.has(helpers.owner)) {
    findings.push({
      id: 'helpers_schema_foreign_owner',
      severity: 'error',
      object,
      message: `The schema ${schema} is owned by ${helpers.owner}, a role the application logs in or switches to: a SQL injection could replace the helpers and make every policy read the claims it likes.`,
      fix: `alter schema ${ident(schema)} owner to migrations; -- the role that installs the helpers`,
    })
  } else if (foreign.length > 0) {
    findings.push({
      id: 'helpers_schema_foreign_owner',
      severity: 'error',
      object,
      message: `The schema ${schema} is owned by ${helpers.owner}, but the helpers by ${listed(foreign)}: the schema's owner may drop and replace them, changing what every policy reads.`,
      ...(foreign.length === 1 && { fix: `alter schema ${ident(schema)} owner to ${ident(foreign[0]!)};` }),
    })
  }
  return findings
}
