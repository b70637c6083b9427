/**
 * The stable id of each lint rule. Ids never change meaning; new rules only add ids.
 *
 * | id | severity | what it finds |
 * | --- | --- | --- |
 * | `rls_disabled` | error (warning when no allowed role has a grant) | a table in an exposed schema without RLS |
 * | `no_policy_for_role` | warning | an allowed role has grants on an RLS table but no policy for that command |
 * | `force_rls_missing` | error | the login role owns an RLS table without `FORCE ROW LEVEL SECURITY` |
 * | `policy_per_row_helper` | warning | a policy calls a helper or `current_setting` outside a `(select …)` |
 * | `multiple_permissive` | warning | several permissive policies for the same role and command |
 * | `policy_to_public` | warning | a policy applies `TO public` rather than to the allowed roles |
 * | `policy_column_unindexed` | warning | a column a policy's `USING` reads is not the first column of any index (booleans aside) |
 * | `login_superuser` | error | the login role is a superuser |
 * | `login_bypassrls` | error | the login role has `BYPASSRLS` |
 * | `allowed_role_bypassrls` | error | an allowed role is a superuser or has `BYPASSRLS` |
 * | `login_owns_rls_table` | warning | the login role owns (or inherits ownership of) an RLS table |
 * | `login_inherit` | warning | the login role inherits the privileges of the roles granted to it |
 * | `login_not_granted_role` | error | the login role cannot `SET ROLE` to an allowed role (or it does not exist) |
 * | `login_extra_roles` | warning | the login role is a member of roles outside the allowed list |
 * | `helpers_missing` | error | the helpers schema, or one of its functions, is missing |
 * | `helpers_outdated` | warning | the helpers were installed by an older pg-claims (or recorded no version) |
 * | `helpers_schema_foreign_owner` | error | the helpers schema is owned by another role than the helpers, or by a request role |
 * | `pre_request_not_callable` | error | the `preRequest` function does not exist (without arguments), or the login role may not EXECUTE it |
 *
 * @example
 * ```ts
 * const id: LintRuleId = 'policy_per_row_helper'
 * ```
 */
export type LintRuleId =
  | 'rls_disabled'
  | 'no_policy_for_role'
  | 'force_rls_missing'
  | 'policy_per_row_helper'
  | 'multiple_permissive'
  | 'policy_to_public'
  | 'policy_column_unindexed'
  | 'login_superuser'
  | 'login_bypassrls'
  | 'allowed_role_bypassrls'
  | 'login_owns_rls_table'
  | 'login_inherit'
  | 'login_not_granted_role'
  | 'login_extra_roles'
  | 'helpers_missing'
  | 'helpers_outdated'
  | 'helpers_schema_foreign_owner'
  | 'pre_request_not_callable'

/**
 * How bad a finding is: `error` leaks or breaks, `warning` is slow or fragile, `info` is worth knowing.
 *
 * @example
 * ```ts
 * const failOn: LintSeverity = 'warning'
 * ```
 */
export type LintSeverity = 'error' | 'warning' | 'info'

/**
 * The severities from the most to the least severe.
 *
 * @example
 * ```ts
 * LINT_SEVERITIES.indexOf('error') < LINT_SEVERITIES.indexOf('warning') // true
 * ```
 */
export const LINT_SEVERITIES: readonly LintSeverity[] = ['error', 'warning', 'info']

/**
 * One problem `lintDatabase` found.
 *
 * @example
 * ```ts
 * const finding: LintFinding = {
 *   id: 'rls_disabled',
 *   severity: 'error',
 *   object: 'table public.notes',
 *   message: 'Row-level security is off: every role with a grant (anon, authenticated) reads and writes every row.',
 *   fix: 'alter table public.notes enable row level security;',
 * }
 * ```
 */
export interface LintFinding {
  /** The rule, stable across versions: see {@link LintRuleId}. */
  readonly id: LintRuleId
  readonly severity: LintSeverity
  /** What it is about, e.g. `table public.notes`, `policy own_notes on public.notes`, `role authenticator`. */
  readonly object: string
  /** What is wrong and why it matters. */
  readonly message: string
  /** SQL that fixes it, when there is one to suggest; review it before running it. */
  readonly fix?: string
}

/**
 * What `lintDatabase` checks against.
 *
 * @example
 * ```ts
 * const options: LintOptions = { schemas: ['public', 'api'], allowedRoles: ['anon', 'authenticated'], loginRole: 'authenticator' }
 * ```
 */
export interface LintOptions {
  /** The schemas your application's requests reach. Default `['public']`. */
  readonly schemas?: readonly string[]
  /** Your `roles.allowed`: the roles requests switch to. Default `['anon', 'authenticated']`. */
  readonly allowedRoles?: readonly string[]
  /** The role your application logs in as. Default: the connected role (`current_user`). */
  readonly loginRole?: string
  /** The schema the SQL helpers were installed in. Default `auth`. */
  readonly helpersSchema?: string
  /** Your `preRequest` function (`'schema.function'`), to check that the login role can call it. */
  readonly preRequest?: string
}

/**
 * A single connection to lint through: a `pg` Client or PoolClient (not a Pool, whose queries may
 * each take another connection, outside the read-only transaction).
 *
 * @example
 * ```ts
 * const client: LintClient = new pg.Client({ connectionString })
 * ```
 */
export interface LintClient {
  query(text: string, values?: unknown[]): Promise<{ rows: unknown[] }>
}
