import type { CatalogSnapshot } from './catalog.js'
import { ident, listed, qualified } from './sql-names.js'
import type { LintFinding } from './types.js'

/**
 * `login_superuser`, `login_bypassrls`, `allowed_role_bypassrls`, `login_owns_rls_table`,
 * `login_inherit`, `login_not_granted_role` and `login_extra_roles`: can the roles get around the
 * policies, and can the login role switch to exactly the allowed roles?
 */
export function loginRules(catalog: CatalogSnapshot): LintFinding[] {
  const { login } = catalog
  const name = ident(login.name)
  const object = `role ${login.name}`
  const findings: LintFinding[] = []
  if (login.superuser) {
    findings.push({
      id: 'login_superuser',
      severity: 'error',
      object,
      message:
        'The login role is a superuser: superusers bypass row-level security, so every query it runs outside a claims transaction sees every row, and a SQL injection owns the server.',
      fix: `alter role ${name} nosuperuser;`,
    })
  } else if (login.bypassrls) {
    findings.push({
      id: 'login_bypassrls',
      severity: 'error',
      object,
      message:
        'The login role has BYPASSRLS: every query it runs without switching role (a plain pool query) ignores the policies.',
      fix: `alter role ${name} nobypassrls;`,
    })
  }
  for (const role of catalog.allowedRoles) {
    if (!role.exists || !(role.superuser || role.bypassrls)) continue
    findings.push({
      id: 'allowed_role_bypassrls',
      severity: 'error',
      object: `role ${role.name}`,
      message: `Requests switch to ${role.name}, which ${role.superuser ? 'is a superuser' : 'has BYPASSRLS'}: no policy applies to them.`,
      fix: `alter role ${ident(role.name)} ${role.superuser ? 'nosuperuser' : 'nobypassrls'};`,
    })
  }
  if (!login.superuser) {
    const owned = catalog.tables.filter((table) => table.rls && table.loginOwns)
    for (const table of owned) {
      findings.push({
        id: 'login_owns_rls_table',
        severity: 'warning',
        object: `table ${qualified(table.schema, table.name)}`,
        message: `The login role ${login.name} owns it (owner ${table.owner}): it may disable row-level security, drop the policies or grant itself anything, so a SQL injection on a plain pool connection undoes them. Let a migration role own it.`,
        fix: `alter table ${qualified(table.schema, table.name)} owner to migrations; -- a role your application does not log in as`,
      })
    }
  }
  const inherited = login.memberships.filter((membership) => membership.inherit).map((m) => m.role)
  if (inherited.length > 0) {
    findings.push({
      id: 'login_inherit',
      severity: 'warning',
      object,
      message: `The login role inherits the privileges of ${listed(inherited)}: a query on a connection that has not switched role runs with their grants too, so the role switch is no longer the only way to reach them.`,
      fix:
        catalog.serverVersion >= 160000
          ? inherited.map((role) => `grant ${ident(role)} to ${name} with inherit false;`).join('\n')
          : `alter role ${name} noinherit;`,
    })
  }
  for (const role of catalog.allowedRoles) {
    if (role.exists && role.loginCanSet) continue
    const grant = `grant ${ident(role.name)} to ${name}${catalog.serverVersion >= 160000 ? ' with inherit false' : ''};`
    findings.push({
      id: 'login_not_granted_role',
      severity: 'error',
      object: `role ${role.name}`,
      message: role.exists
        ? `The login role ${login.name} may not SET ROLE to ${role.name}: every request for it fails with ROLE_NOT_GRANTED.`
        : `The allowed role ${role.name} does not exist: every request for it fails with ROLE_UNKNOWN.`,
      fix: role.exists ? grant : `create role ${ident(role.name)} nologin;\n${grant}`,
    })
  }
  const allowed = new Set(catalog.allowedRoles.map((role) => role.name))
  const extra = login.memberships.map((membership) => membership.role).filter((role) => !allowed.has(role))
  if (extra.length > 0) {
    findings.push({
      id: 'login_extra_roles',
      severity: 'warning',
      object,
      message: `The login role is a member of ${listed(extra)}, outside the allowed roles: pg-claims never switches to them, but a SQL injection on its connections can.`,
      fix: extra.map((role) => `revoke ${ident(role)} from ${name};`).join('\n'),
    })
  }
  return findings
}
