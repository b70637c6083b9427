import type { CatalogSnapshot, PolicyCommand } from './catalog.js'
import { ident, listed, qualified } from './sql-names.js'
import type { LintFinding } from './types.js'

/**
 * `rls_disabled`, `no_policy_for_role` and `force_rls_missing`: is every table of the exposed
 * schemas guarded, for every role that may touch it?
 */
export function tableRules(catalog: CatalogSnapshot): LintFinding[] {
  const findings: LintFinding[] = []
  for (const table of catalog.tables) {
    const name = qualified(table.schema, table.name)
    const object = `table ${name}`
    const granted = [...table.grants].filter(([, commands]) => commands.length > 0)
    if (!table.rls) {
      findings.push({
        id: 'rls_disabled',
        severity: granted.length > 0 ? 'error' : 'warning',
        object,
        message:
          granted.length > 0
            ? `Row-level security is off: ${granted.map(([role, commands]) => `${role} may ${commands.join(', ')}`).join('; ')} on every row, whatever the claims say.`
            : 'Row-level security is off. No allowed role has a grant on it today, but the first GRANT exposes every row.',
        fix: `alter table ${name} enable row level security; -- then create a policy per role and command`,
      })
      continue
    }
    for (const [role, commands] of granted) {
      const uncovered = commands.filter(
        (command) =>
          !catalog.policies.some(
            (policy) =>
              policy.schema === table.schema &&
              policy.table === table.name &&
              policy.permissive &&
              policy.appliesTo.includes(role) &&
              policy.commands.includes(command),
          ),
      )
      if (uncovered.length === 0) continue
      findings.push({
        id: 'no_policy_for_role',
        severity: 'warning',
        object,
        message: `${role} may ${listed(uncovered)} but no permissive policy applies to it for ${uncovered.length === 1 ? 'that command' : 'those commands'}: it silently ${describeDenial(uncovered)}. If that is meant, revoke the grant so the intent is explicit; otherwise create the policy.`,
        fix: `revoke ${uncovered.join(', ').toLowerCase()} on ${name} from ${ident(role)};`,
      })
    }
    if (table.loginOwns && !table.forceRls && !catalog.login.superuser) {
      findings.push({
        id: 'force_rls_missing',
        severity: 'error',
        object,
        message: `The login role ${catalog.login.name} owns it (or inherits its owner's privileges), and owners bypass row-level security unless it is forced: any query it runs without switching role, on a plain pool connection, sees and changes every row.`,
        fix: `alter table ${name} force row level security;`,
      })
    }
  }
  return findings
}

function describeDenial(commands: readonly PolicyCommand[]): string {
  const effects = [
    ...(commands.some((command) => command !== 'INSERT') ? ['sees and changes no rows'] : []),
    ...(commands.includes('INSERT') ? ['has every insert refused'] : []),
  ]
  return effects.join(' and ')
}
