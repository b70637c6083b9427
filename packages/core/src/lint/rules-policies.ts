import type { CatalogPolicy, CatalogSnapshot, PolicyCommand } from './catalog.js'
import { type ExpressionCall, expressionCalls, wrapCalls } from './policy-expression.js'
import { ident, listed, qualified } from './sql-names.js'
import type { LintFinding } from './types.js'

/**
 * `policy_per_row_helper`, `multiple_permissive`, `policy_to_public` and
 * `policy_column_unindexed`: are the policies fast, and aimed at the right roles?
 */
export function policyRules(catalog: CatalogSnapshot): LintFinding[] {
  return [
    ...catalog.policies.flatMap((policy) => perRowHelpers(policy, catalog)),
    ...multiplePermissive(catalog),
    ...catalog.policies.flatMap((policy) => toPublic(policy, catalog)),
    ...unindexedColumns(catalog),
  ]
}

function policyObject(policy: CatalogPolicy): string {
  return `policy ${ident(policy.name)} on ${qualified(policy.schema, policy.table)}`
}

/** A call of a helper, or of `current_setting`, that PostgreSQL would evaluate for every row. */
function perRowCalls(expression: string | null, helpersSchema: string): ExpressionCall[] {
  if (expression === null) return []
  return expressionCalls(expression).filter(
    (call) =>
      !call.inSubSelect &&
      (call.schema === helpersSchema ||
        (call.name === 'current_setting' && (call.schema === undefined || call.schema === 'pg_catalog'))),
  )
}

function perRowHelpers(policy: CatalogPolicy, catalog: CatalogSnapshot): LintFinding[] {
  const using = perRowCalls(policy.using, catalog.helpersSchema)
  const check = perRowCalls(policy.check, catalog.helpersSchema)
  if (using.length === 0 && check.length === 0) return []
  const names = [
    ...new Set(
      [...using, ...check].map(
        (call) => `${call.schema === undefined ? '' : `${call.schema}.`}${call.name}()`,
      ),
    ),
  ]
  const clauses = [
    ...(using.length > 0 && policy.using !== null ? [`using (${wrapCalls(policy.using, using)})`] : []),
    ...(check.length > 0 && policy.check !== null ? [`with check (${wrapCalls(policy.check, check)})`] : []),
  ]
  return [
    {
      id: 'policy_per_row_helper',
      severity: 'warning',
      object: policyObject(policy),
      message: `It calls ${listed(names)} outside a sub-select, so PostgreSQL evaluates the call once per row it checks. Wrapped as (select …), it runs once per statement (an InitPlan): on a large table, the difference is orders of magnitude.`,
      fix: `alter policy ${ident(policy.name)} on ${qualified(policy.schema, policy.table)} ${clauses.join(' ')};`,
    },
  ]
}

function multiplePermissive(catalog: CatalogSnapshot): LintFinding[] {
  const findings: LintFinding[] = []
  for (const table of catalog.tables) {
    const policies = catalog.policies.filter(
      (policy) => policy.schema === table.schema && policy.table === table.name && policy.permissive,
    )
    for (const role of catalog.allowedRoles) {
      const overlaps: string[] = []
      for (const command of ['SELECT', 'INSERT', 'UPDATE', 'DELETE'] as const satisfies PolicyCommand[]) {
        const names = policies
          .filter((policy) => policy.appliesTo.includes(role.name) && policy.commands.includes(command))
          .map((policy) => ident(policy.name))
        if (names.length > 1) overlaps.push(`${command} (${names.join(', ')})`)
      }
      if (overlaps.length === 0) continue
      findings.push({
        id: 'multiple_permissive',
        severity: 'warning',
        object: `table ${qualified(table.schema, table.name)}`,
        message: `Several permissive policies apply to ${role.name} for ${overlaps.join('; ')}: PostgreSQL evaluates each of them for every row and ORs the results. One policy per role and command, its conditions joined with OR, is faster and easier to review.`,
      })
    }
  }
  return findings
}

function toPublic(policy: CatalogPolicy, catalog: CatalogSnapshot): LintFinding[] {
  if (!policy.roles.includes('public')) return []
  const allowed = catalog.allowedRoles.filter((role) => role.exists).map((role) => ident(role.name))
  return [
    {
      id: 'policy_to_public',
      severity: 'warning',
      object: policyObject(policy),
      message: `It applies TO public: to every role, the login role ${catalog.login.name} and roles created later included, not only to the roles requests switch to${allowed.length > 0 ? ` (${allowed.join(', ')})` : ''}.`,
      ...(allowed.length > 0 && {
        fix: `alter policy ${ident(policy.name)} on ${qualified(policy.schema, policy.table)} to ${allowed.join(', ')};`,
      }),
    },
  ]
}

function unindexedColumns(catalog: CatalogSnapshot): LintFinding[] {
  // a boolean column has two values: an index on it alone rarely helps, so it is not reported
  return catalog.policyColumns
    .filter((column) => !column.indexed && !column.boolean)
    .map((column) => ({
      id: 'policy_column_unindexed',
      severity: 'warning',
      object: `column ${qualified(column.schema, column.table)}.${ident(column.column)}`,
      message: `The USING clause of ${listed(column.policies)} compares it for every row, and no index starts with it: PostgreSQL reads the whole table to apply the policy.`,
      fix: `create index on ${qualified(column.schema, column.table)} (${ident(column.column)});`,
    }))
}
