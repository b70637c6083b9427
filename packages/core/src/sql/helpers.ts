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
create schema if not exists ${s};
grant usage on schema ${s} to public;

${fn(
  'session()',
  'pg_catalog.jsonb',
  `coalesce(nullif(pg_catalog.current_setting('request.jwt.claims', true), '')::pg_catalog.jsonb, 'null'::pg_catalog.jsonb)`,
  'pg-claims: the verified JWT claims of this transaction (request.jwt.claims) as jsonb; JSON null when there are none.',
)}
${fn('jwt()', 'pg_catalog.jsonb', `${s}.session()`, 'pg-claims: the same as session().')}
${fn(
  'user_id()',
  'pg_catalog.text',
  `case when pg_catalog.jsonb_typeof(${s}.session() -> 'sub') = 'string' then ${s}.session() ->> 'sub' end`,
  'pg-claims: the sub claim when it is a string, else NULL.',
)}
${fn(
  'uid()',
  'pg_catalog.uuid',
  `case when ${s}.user_id() ~ ${UUID} then ${s}.user_id()::pg_catalog.uuid end`,
  'pg-claims: the sub claim as a uuid; NULL when it is not one.',
)}
${fn(
  'organization()',
  'pg_catalog.jsonb',
  `case when pg_catalog.jsonb_typeof(${s}.session() -> 'o') = 'object' then ${s}.session() -> 'o' end`,
  'pg-claims: the o claim when it is an object, else NULL.',
)}
${fn(
  'organization_id()',
  'pg_catalog.uuid',
  `case when ${s}.organization() ->> 'id' ~ ${UUID} then (${s}.organization() ->> 'id')::pg_catalog.uuid end`,
  'pg-claims: the id of the o claim as a uuid; NULL when it is not one.',
)}
${fn('role()', 'pg_catalog.text', `${s}.session() ->> 'role'`, 'pg-claims: the role claim as text.')}
${fn('email()', 'pg_catalog.text', `${s}.session() ->> 'email'`, 'pg-claims: the email claim as text.')}
${fn(
  'claim(name pg_catalog.text)',
  'pg_catalog.text',
  `${s}.session() ->> name`,
  'pg-claims: one claim as text (objects and arrays as JSON); NULL when absent or null.',
)}
comment on schema ${s} is 'pg-claims helpers v${HELPERS_VERSION}';
`
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
 * Applies {@link helpersSql} in one statement batch (one implicit transaction).
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
  await runner.query(helpersSql(options))
}
