import { PgClaimsError } from '../errors.js'
import type { LintClient } from './types.js'

/** A table (or partitioned table) of an exposed schema, as the rules see it. */
export interface CatalogTable {
  readonly schema: string
  readonly name: string
  readonly owner: string
  readonly rls: boolean
  readonly forceRls: boolean
  /** The login role is the owner, or inherits the owner's privileges (so it bypasses RLS unless forced). */
  readonly loginOwns: boolean
  /** Each allowed role's commands on the table (inherited and PUBLIC grants included). */
  readonly grants: ReadonlyMap<string, readonly PolicyCommand[]>
}

/** A command a policy or a grant covers. */
export type PolicyCommand = 'SELECT' | 'INSERT' | 'UPDATE' | 'DELETE'

/** A policy on a table of an exposed schema. */
export interface CatalogPolicy {
  readonly schema: string
  readonly table: string
  readonly name: string
  readonly permissive: boolean
  /** The commands it covers: one, or all four for `FOR ALL`. */
  readonly commands: readonly PolicyCommand[]
  /** The role names of its `TO` clause; `public` for PUBLIC. */
  readonly roles: readonly string[]
  /** The `USING` expression as PostgreSQL deparses it, with only `pg_catalog` on the search path. */
  readonly using: string | null
  /** The `WITH CHECK` expression, deparsed the same way. */
  readonly check: string | null
  /** The allowed roles it applies to (through PUBLIC, directly, or by inheritance). */
  readonly appliesTo: readonly string[]
}

/** A column some policy's expression reads, and whether an index starts with it. */
export interface CatalogPolicyColumn {
  readonly schema: string
  readonly table: string
  readonly column: string
  readonly boolean: boolean
  readonly indexed: boolean
  readonly policies: readonly string[]
}

/** The login role and what it is a member of. */
export interface CatalogLogin {
  readonly name: string
  readonly superuser: boolean
  readonly bypassrls: boolean
  /** The roles granted to it directly, and whether it inherits their privileges through that grant. */
  readonly memberships: readonly { readonly role: string; readonly inherit: boolean }[]
}

/** An allowed role as the server knows it. */
export interface CatalogAllowedRole {
  readonly name: string
  readonly exists: boolean
  readonly superuser: boolean
  readonly bypassrls: boolean
  /** The login role may `SET ROLE` to it. */
  readonly loginCanSet: boolean
}

/** The helpers schema; `undefined` when it does not exist. */
export interface CatalogHelpers {
  readonly schema: string
  readonly owner: string
  readonly comment: string | null
  readonly functions: readonly { readonly name: string; readonly owner: string }[]
}

/** Everything the rules read, loaded in one read-only transaction. */
export interface CatalogSnapshot {
  /** `server_version_num`, e.g. `180004`. */
  readonly serverVersion: number
  readonly helpersSchema: string
  readonly login: CatalogLogin
  readonly allowedRoles: readonly CatalogAllowedRole[]
  readonly tables: readonly CatalogTable[]
  readonly policies: readonly CatalogPolicy[]
  readonly policyColumns: readonly CatalogPolicyColumn[]
  readonly helpers: CatalogHelpers | undefined
  /** The `preRequest` function linted, if any. */
  readonly preRequest: CatalogPreRequest | undefined
}

/** The `preRequest` function: whether the login role may call it; `undefined` when it does not exist. */
export interface CatalogPreRequest {
  readonly schema: string
  readonly name: string
  readonly loginMayExecute: boolean | undefined
}

const COMMANDS: Record<string, readonly PolicyCommand[]> = {
  r: ['SELECT'],
  a: ['INSERT'],
  w: ['UPDATE'],
  d: ['DELETE'],
  '*': ['SELECT', 'INSERT', 'UPDATE', 'DELETE'],
}

// $1 schemas, $2 allowed roles, $3 login role. Only catalogs and privilege functions: nothing is written.
const TABLES_SQL = `
select n.nspname as schema, c.relname as name, pg_catalog.pg_get_userbyid(c.relowner) as owner,
       c.relrowsecurity as rls, c.relforcerowsecurity as force_rls,
       pg_catalog.pg_has_role($3::text, c.relowner, 'USAGE') as login_owns,
       coalesce((
         select pg_catalog.json_object_agg(r.rolname, pg_catalog.array_remove(array[
           case when pg_catalog.has_any_column_privilege(r.oid, c.oid, 'SELECT') then 'SELECT' end,
           case when pg_catalog.has_any_column_privilege(r.oid, c.oid, 'INSERT') then 'INSERT' end,
           case when pg_catalog.has_any_column_privilege(r.oid, c.oid, 'UPDATE') then 'UPDATE' end,
           case when pg_catalog.has_table_privilege(r.oid, c.oid, 'DELETE') then 'DELETE' end], null))
           from pg_catalog.pg_roles r where r.rolname = any($2::text[])), '{}') as grants
  from pg_catalog.pg_class c join pg_catalog.pg_namespace n on n.oid = c.relnamespace
 where c.relkind in ('r', 'p') and n.nspname = any($1::text[])
 order by 1, 2`

const POLICIES_SQL = `
select n.nspname as schema, c.relname as table, p.polname as name, p.polpermissive as permissive,
       p.polcmd::text as command,
       array(select case when x = 0 then 'public' else pg_catalog.pg_get_userbyid(x)::text end
               from pg_catalog.unnest(p.polroles) x order by 1) as roles,
       pg_catalog.pg_get_expr(p.polqual, p.polrelid) as using,
       pg_catalog.pg_get_expr(p.polwithcheck, p.polrelid) as check,
       array(select r.rolname::text from pg_catalog.pg_roles r
              where r.rolname = any($2::text[])
                and (0 = any(p.polroles) or exists (
                  select from pg_catalog.unnest(p.polroles) x
                   where x <> 0 and pg_catalog.pg_has_role(r.oid, x, 'USAGE')))
              order by 1) as applies_to
  from pg_catalog.pg_policy p
  join pg_catalog.pg_class c on c.oid = p.polrelid
  join pg_catalog.pg_namespace n on n.oid = c.relnamespace
 where n.nspname = any($1::text[])
 order by 1, 2, 3`

// The columns a policy reads are recorded in pg_depend when it is created (also those of other
// tables it reads in a sub-select); an index helps when the column is its first key. Only USING
// scans rows (WITH CHECK tests the new row): keep the columns that appear as a Var in the stored
// USING tree (pg_node_tree, not source text).
const POLICY_COLUMNS_SQL = `
select n.nspname as schema, c.relname as table, a.attname as column,
       a.atttypid = 'pg_catalog.bool'::pg_catalog.regtype as boolean,
       exists (select from pg_catalog.pg_index i
                where i.indrelid = c.oid and i.indisvalid and i.indkey[0] = a.attnum) as indexed,
       pg_catalog.array_agg(distinct p.polname::text order by p.polname::text) as policies
  from pg_catalog.pg_policy p
  join pg_catalog.pg_class pc on pc.oid = p.polrelid
  join pg_catalog.pg_namespace pn on pn.oid = pc.relnamespace
  join pg_catalog.pg_depend d on d.classid = 'pg_catalog.pg_policy'::pg_catalog.regclass and d.objid = p.oid
   and d.refclassid = 'pg_catalog.pg_class'::pg_catalog.regclass and d.refobjsubid > 0
  join pg_catalog.pg_class c on c.oid = d.refobjid and c.relkind in ('r', 'p')
  join pg_catalog.pg_namespace n on n.oid = c.relnamespace
  join pg_catalog.pg_attribute a on a.attrelid = c.oid and a.attnum = d.refobjsubid
 where pn.nspname = any($1::text[])
   and pg_catalog.strpos(p.polqual::text, ':varattno ' || a.attnum || ' ') > 0
 group by 1, 2, 3, 4, 5
 order by 1, 2, 3`

// inherit_option exists from PostgreSQL 16 on; before, the member's INHERIT attribute decides.
const LOGIN_SQL = `
select l.rolname as name, l.rolsuper as superuser, l.rolbypassrls as bypassrls,
       coalesce((select pg_catalog.json_agg(pg_catalog.json_build_object(
                  'role', pg_catalog.pg_get_userbyid(m.roleid),
                  'inherit', coalesce((pg_catalog.to_jsonb(m) ->> 'inherit_option')::boolean, l.rolinherit))
                  order by pg_catalog.pg_get_userbyid(m.roleid))
                  from pg_catalog.pg_auth_members m where m.member = l.oid), '[]') as memberships
  from pg_catalog.pg_roles l where l.rolname = $1::text`

// $1 allowed roles, $2 login role, $3 'SET' (PostgreSQL 16+) or 'MEMBER'.
const ALLOWED_SQL = `
select a.name, r.oid is not null as exists, coalesce(r.rolsuper, false) as superuser,
       coalesce(r.rolbypassrls, false) as bypassrls,
       r.oid is not null and pg_catalog.pg_has_role($2::text, r.oid, $3::text) as login_can_set
  from pg_catalog.unnest($1::text[]) with ordinality as a(name, position)
  left join pg_catalog.pg_roles r on r.rolname = a.name
 order by a.position`

const HELPERS_SQL = `
select n.nspname as schema, pg_catalog.pg_get_userbyid(n.nspowner) as owner,
       pg_catalog.obj_description(n.oid, 'pg_namespace') as comment,
       coalesce((select pg_catalog.json_agg(pg_catalog.json_build_object(
                  'name', p.proname, 'owner', pg_catalog.pg_get_userbyid(p.proowner)) order by p.proname)
                  from pg_catalog.pg_proc p where p.pronamespace = n.oid), '[]') as functions
  from pg_catalog.pg_namespace n where n.nspname = $1::text`

// $1 schema, $2 function, $3 login role: the function without arguments, and whether the login role may call it.
const PRE_REQUEST_SQL = `
select pg_catalog.has_function_privilege($3::text, p.oid, 'EXECUTE') as login_may_execute
  from pg_catalog.pg_proc p join pg_catalog.pg_namespace n on n.oid = p.pronamespace
 where n.nspname = $1::text and p.proname = $2::text and p.pronargs = 0`

interface Resolved {
  readonly schemas: readonly string[]
  readonly allowedRoles: readonly string[]
  readonly loginRole: string
  readonly helpersSchema: string
  /** The `preRequest` function as schema and name, when one is linted. */
  readonly preRequest: { readonly schema: string; readonly name: string } | undefined
}

/**
 * Reads everything the rules need. Runs inside the caller's read-only transaction, with
 * `search_path` set to `pg_catalog` so that deparsed expressions name every other schema.
 */
export async function readCatalog(client: LintClient, options: Resolved): Promise<CatalogSnapshot> {
  const version = Number(await scalar(client, "select pg_catalog.current_setting('server_version_num')"))
  const login = (await client.query(LOGIN_SQL, [options.loginRole])).rows[0] as
    | {
        name: string
        superuser: boolean
        bypassrls: boolean
        memberships: { role: string; inherit: boolean }[]
      }
    | undefined
  if (login === undefined) {
    throw new PgClaimsError(
      'CONFIG_INVALID',
      `lint: the login role ${JSON.stringify(options.loginRole)} does not exist`,
    )
  }
  const schemas = [...options.schemas]
  const allowed = [...options.allowedRoles]
  const tables = (await client.query(TABLES_SQL, [schemas, allowed, options.loginRole])).rows as {
    schema: string
    name: string
    owner: string
    rls: boolean
    force_rls: boolean
    login_owns: boolean
    grants: Record<string, PolicyCommand[]>
  }[]
  const policies = (await client.query(POLICIES_SQL, [schemas, allowed])).rows as {
    schema: string
    table: string
    name: string
    permissive: boolean
    command: string
    roles: string[]
    using: string | null
    check: string | null
    applies_to: string[]
  }[]
  const columns = (await client.query(POLICY_COLUMNS_SQL, [schemas])).rows as CatalogPolicyColumn[]
  const allowedRoles = (
    await client.query(ALLOWED_SQL, [allowed, options.loginRole, version >= 160000 ? 'SET' : 'MEMBER'])
  ).rows as {
    name: string
    exists: boolean
    superuser: boolean
    bypassrls: boolean
    login_can_set: boolean
  }[]
  const helpers = (await client.query(HELPERS_SQL, [options.helpersSchema])).rows[0] as
    | CatalogHelpers
    | undefined
  const preRequest = options.preRequest && {
    ...options.preRequest,
    loginMayExecute: (
      (
        await client.query(PRE_REQUEST_SQL, [
          options.preRequest.schema,
          options.preRequest.name,
          options.loginRole,
        ])
      ).rows[0] as { login_may_execute: boolean } | undefined
    )?.login_may_execute,
  }
  return {
    serverVersion: version,
    helpersSchema: options.helpersSchema,
    login,
    allowedRoles: allowedRoles.map(({ login_can_set, ...role }) => ({ ...role, loginCanSet: login_can_set })),
    tables: tables.map(({ force_rls, login_owns, grants, ...table }) => ({
      ...table,
      forceRls: force_rls,
      loginOwns: login_owns,
      grants: new Map(Object.entries(grants)),
    })),
    policies: policies.map(({ command, applies_to, ...policy }) => ({
      ...policy,
      commands: COMMANDS[command] ?? [],
      appliesTo: applies_to,
    })),
    policyColumns: columns,
    helpers,
    preRequest,
  }
}

async function scalar(client: LintClient, text: string): Promise<unknown> {
  const row = (await client.query(text)).rows[0] as Record<string, unknown> | undefined
  return row === undefined ? undefined : Object.values(row)[0]
}
