import { PgClaimsError } from '../errors.js'
import { helpersSchemaName } from './schema-name.js'

/**
 * Options of the SQL helpers migration.
 *
 * @example
 * ```ts
 * const options: HelpersOptions = { schema: 'claims' } // e.g. on Supabase, where `auth` is taken
 * ```
 */
export interface HelpersOptions {
  /** The schema to install into. Default `auth`. */
  readonly schema?: string
}

/**
 * The version of the SQL helpers this release installs, recorded as the comment of their schema
 * (`pg-claims helpers v1`) so that `pg-claims lint` can tell an outdated install.
 *
 * @example
 * ```ts
 * helpersSql().includes(`'pg-claims helpers v${HELPERS_VERSION}'`) // true
 * ```
 */
export const HELPERS_VERSION = 2

/**
 * Every spelling PostgreSQL's `uuid` input accepts (`string_to_uuid`, the same on 14–18): 32 hex
 * digits in either case, an optional hyphen after any group of four but the last, the whole
 * optionally in braces. Nothing else (no spaces), so the cast behind it never fails.
 */
const UUID = `'^([0-9a-fA-F]{4}-?){7}[0-9a-fA-F]{4}$|^[{]([0-9a-fA-F]{4}-?){7}[0-9a-fA-F]{4}[}]$'`

/**
 * The SQL helpers migration: an idempotent script that creates the schema (default `auth`) and
 * the functions RLS policies read the claims with. Names and semantics follow pg_session_jwt's
 * fallback mode and Supabase:
 *
 * | function | returns |
 * | --- | --- |
 * | `session()`, `jwt()` | the claims (`request.jwt.claims`) as jsonb; JSON `null` when none |
 * | `user_id()` | `sub` when it is a string |
 * | `uid()` | `sub` as uuid (any spelling the uuid type accepts); NULL when it is not one |
 * | `organization()`, `organization_id()` | claim `o` when an object; `o.id` as uuid |
 * | `role()` | the `role` claim: the effective role, which pg-claims writes there as PostgREST does |
 * | `email()` | the `email` claim as text |
 * | `claim(name)` | one claim as text (objects as JSON), NULL when absent |
 *
 * All are `STABLE PARALLEL SAFE` SQL functions with SQL-standard bodies, so every name in them is
 * bound when they are created and no caller's `search_path` can change what they call. Wrap them
 * as `(select auth.user_id())` in policies so PostgreSQL evaluates them once per statement.
 *
 * @example
 * ```ts
 * import { helpersSql } from '@pg-claims/core'
 * fs.writeFileSync('migrations/0001_pg_claims.sql', helpersSql())
 * ```
 */
export function helpersSql(options: HelpersOptions = {}): string {
  const s = helpersSchemaName(options.schema)
  const fn = (signature: string, returns: string, body: string, comment: string) =>
    `create or replace function ${s}.${signature} returns ${returns}
  language sql stable parallel safe
  return ${body};
comment on function ${s}.${signature} is '${comment}';
`
  return `-- pg-claims SQL helpers, schema ${s}. Idempotent: safe to run again.
-- Every operator is qualified (OPERATOR(pg_catalog.…)), so the installer's search_path binds none.
create schema if not exists ${s};
${ownerCheck(s)}
grant usage on schema ${s} to public;

${fn(
  'session()',
  'pg_catalog.jsonb',
  `case when ${SETTING} ${op('<>')} '' then ${SETTING}::pg_catalog.jsonb else 'null'::pg_catalog.jsonb end`,
  'pg-claims: the verified JWT claims of this transaction (request.jwt.claims) as jsonb; JSON null when there are none.',
)}
${fn('jwt()', 'pg_catalog.jsonb', `${s}.session()`, 'pg-claims: the same as session().')}
${fn(
  'user_id()',
  'pg_catalog.text',
  `case when pg_catalog.jsonb_typeof(${s}.session() ${op('->')} 'sub') ${op('=')} 'string' then ${s}.session() ${op('->>')} 'sub' end`,
  'pg-claims: the sub claim when it is a string, else NULL.',
)}
${fn(
  'uid()',
  'pg_catalog.uuid',
  `case when ${s}.user_id() ${op('~')} ${UUID} then ${s}.user_id()::pg_catalog.uuid end`,
  'pg-claims: the sub claim as a uuid; NULL when it is not one.',
)}
${fn(
  'organization()',
  'pg_catalog.jsonb',
  `case when pg_catalog.jsonb_typeof(${s}.session() ${op('->')} 'o') ${op('=')} 'object' then ${s}.session() ${op('->')} 'o' end`,
  'pg-claims: the o claim when it is an object, else NULL.',
)}
${fn(
  'organization_id()',
  'pg_catalog.uuid',
  `case when (${s}.organization() ${op('->>')} 'id') ${op('~')} ${UUID} then (${s}.organization() ${op('->>')} 'id')::pg_catalog.uuid end`,
  'pg-claims: the id of the o claim as a uuid; NULL when it is not one.',
)}
${fn('role()', 'pg_catalog.text', `${s}.session() ${op('->>')} 'role'`, 'pg-claims: the role claim as text.')}
${fn('email()', 'pg_catalog.text', `${s}.session() ${op('->>')} 'email'`, 'pg-claims: the email claim as text.')}
${fn(
  'claim(name pg_catalog.text)',
  'pg_catalog.text',
  `${s}.session() ${op('->>')} name`,
  'pg-claims: one claim as text (objects and arrays as JSON); NULL when absent or null.',
)}
comment on schema ${s} is 'pg-claims helpers v${HELPERS_VERSION}';
`
}

/**
 * A PostgreSQL operator pinned to `pg_catalog`, so no `search_path` can bind another one.
 *
 * @example
 * ```ts
 * op('->>') // 'OPERATOR(pg_catalog.->>)'
 * ```
 */
export function op(operator: '->' | '->>' | '=' | '<>' | '~'): string {
  return `OPERATOR(pg_catalog.${operator})`
}

const SETTING = `pg_catalog.current_setting('request.jwt.claims', true)`
/** SQLSTATE of the owner check: insufficient_privilege. */
const NOT_OWNER = '42501'
const NOT_OWNER_PREFIX = 'pg-claims: schema '

/**
 * Refuses (after `create schema if not exists`, so no one can create it in between) a schema owned
 * by a role the installer does not belong to: its owner could later replace a helper. A schema
 * owned by a superuser is fine; a superuser installer needs the schema to be its own.
 */
function ownerCheck(schema: string): string {
  return `do $pg_claims$
declare
  owner pg_catalog.text;
begin
  select r.rolname into owner
    from pg_catalog.pg_namespace n join pg_catalog.pg_roles r on r.oid ${op('=')} n.nspowner
    where n.nspname ${op('=')} '${schema}'
      and r.rolname ${op('<>')} current_user
      and not r.rolsuper
      and not (pg_catalog.pg_has_role(n.nspowner, 'MEMBER')
        and not (select u.rolsuper from pg_catalog.pg_roles u where u.rolname ${op('=')} current_user));
  if owner is not null then
    raise exception using errcode = '${NOT_OWNER}',
      message = pg_catalog.format('${NOT_OWNER_PREFIX}%I is owned by %I, which %I is not a member of: that role could replace a helper', '${schema}', owner, current_user),
      hint = pg_catalog.format('Drop it, or run as its owner, or: alter schema %I owner to %I', '${schema}', current_user);
  end if;
end
$pg_claims$;`
}

/**
 * Anything that runs a SQL script: a `pg` Client, Pool or PoolClient.
 *
 * @example
 * ```ts
 * const target: SqlRunner = new pg.Client({ connectionString })
 * ```
 */
export interface SqlRunner {
  query(text: string): Promise<unknown>
}

/**
 * Applies {@link helpersSql} in one statement batch (one implicit transaction). A schema owned by
 * a role the installer does not belong to is refused with `CONFIG_INVALID`, and nothing is installed.
 *
 * @example
 * ```ts
 * import pg from 'pg'
 * import { installHelpers } from '@pg-claims/core'
 * const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL })
 * await installHelpers(pool)
 * ```
 */
export async function installHelpers(runner: SqlRunner, options: HelpersOptions = {}): Promise<void> {
  try {
    await runner.query(helpersSql(options))
  } catch (error) {
    const { code, message, hint } = error as { code?: unknown; message?: unknown; hint?: unknown }
    if (code === NOT_OWNER && typeof message === 'string' && message.startsWith(NOT_OWNER_PREFIX)) {
      throw new PgClaimsError('CONFIG_INVALID', `${message}. ${String(hint)}`, { cause: error })
    }
    throw error
  }
}
