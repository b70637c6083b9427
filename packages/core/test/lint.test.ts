import { randomBytes } from 'node:crypto'
import { installHelpers, type LintFinding, type LintOptions, lintDatabase } from '@pg-claims/core'
import { createTestDatabase, type TestDatabase } from '@pg-claims/testing'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { expressionCalls, wrapCalls } from '../src/lint/policy-expression.js'

// One database for the file; each broken case lives in its own schema (or, for the login rules, its
// own role), so that linting that schema or role shows exactly that case's findings.
let database: TestDatabase
let admin: pg.Client
let adminIsSuperuser: boolean
const suffix = randomBytes(4).toString('hex')
const createdRoles: string[] = []

/** A role of this test run, dropped afterwards: roles are shared by every database of the server. */
async function role(name: string, attributes: string): Promise<string> {
  const full = `pgc_lint_${suffix}_${name}`
  await admin.query(`create role ${full} ${attributes}`)
  createdRoles.push(full)
  return full
}

async function lint(options: LintOptions): Promise<LintFinding[]> {
  const client = new pg.Client({ connectionString: database.url }) // as authenticator, the login role
  await client.connect()
  try {
    return await lintDatabase(client, options)
  } finally {
    await client.end()
  }
}

const summary = (findings: readonly LintFinding[]) =>
  findings.map(({ id, severity, object }) => ({ id, severity, object }))

/** A table guarded as it should be: RLS, one policy per role with a wrapped helper, an index. */
const CLEAN_TABLE = (schema: string) => `
  create schema ${schema};
  grant usage on schema ${schema} to anon, authenticated;
  create table ${schema}.notes (id serial primary key, owner text not null default auth.user_id(), body text);
  create index on ${schema}.notes (owner);
  alter table ${schema}.notes enable row level security;
  grant select, insert on ${schema}.notes to authenticated;
  create policy own_notes on ${schema}.notes to authenticated
    using (owner = (select auth.user_id())) with check (owner = (select auth.user_id()));`

beforeAll(async () => {
  database = await createTestDatabase({
    setup: async (setupAdmin) => {
      await installHelpers(setupAdmin)
      await setupAdmin.query(CLEAN_TABLE('clean'))
    },
  })
  admin = new pg.Client({ connectionString: database.adminUrl })
  await admin.connect()
  adminIsSuperuser = (await admin.query('select rolsuper from pg_roles where rolname = current_user')).rows[0]
    .rolsuper
})

afterAll(async () => {
  for (const name of createdRoles) await admin.query(`drop owned by ${name} cascade; drop role ${name}`)
  await admin?.end()
  await database?.drop()
})

describe('lintDatabase', () => {
  it('passes a clean schema, with the harness roles and helpers', async () => {
    expect(await lint({ schemas: ['clean'] })).toEqual([])
  })

  it('only reads: it runs in a read-only transaction and leaves the connection as it found it', async () => {
    const client = new pg.Client({ connectionString: database.url })
    await client.connect()
    try {
      await lintDatabase(client, { schemas: ['clean'] })
      const { rows } = await client.query(
        `select pg_catalog.current_setting('search_path') as path, pg_catalog.txid_current_if_assigned() as txid`,
      )
      expect(rows).toEqual([{ path: '"$user", public', txid: null }])
    } finally {
      await client.end()
    }
  })

  it('rls_disabled: an error when a role has grants, a warning when none has yet', async () => {
    await admin.query(`create schema c_rls;
      create table c_rls.open (id int); grant select, delete on c_rls.open to authenticated;
      create table c_rls.ungranted (id int);`)
    const findings = await lint({ schemas: ['c_rls'] })
    expect(findings).toEqual([
      {
        id: 'rls_disabled',
        severity: 'error',
        object: 'table c_rls.open',
        message:
          'Row-level security is off: authenticated may SELECT, DELETE on every row, whatever the claims say.',
        fix: 'alter table c_rls.open enable row level security; -- then create a policy per role and command',
      },
      expect.objectContaining({ id: 'rls_disabled', severity: 'warning', object: 'table c_rls.ungranted' }),
    ])
  })

  it('no_policy_for_role: a role with grants but no policy for a command', async () => {
    await admin.query(`${CLEAN_TABLE('c_nopolicy')}
      grant select, delete on c_nopolicy.notes to anon;
      create table c_nopolicy.posts (id int primary key);
      alter table c_nopolicy.posts enable row level security;
      grant select, insert on c_nopolicy.posts to authenticated;
      create policy read_posts on c_nopolicy.posts for select to authenticated using (true);`)
    const findings = await lint({ schemas: ['c_nopolicy'] })
    expect(findings).toEqual([
      {
        id: 'no_policy_for_role',
        severity: 'warning',
        object: 'table c_nopolicy.notes',
        message:
          'anon may SELECT and DELETE but no permissive policy applies to it for those commands: it silently sees and changes no rows. If that is meant, revoke the grant so the intent is explicit; otherwise create the policy.',
        fix: 'revoke select, delete on c_nopolicy.notes from anon;',
      },
      expect.objectContaining({
        object: 'table c_nopolicy.posts',
        message: expect.stringContaining(
          'authenticated may INSERT but no permissive policy applies to it for that command: it silently has every insert refused.',
        ),
        fix: 'revoke insert on c_nopolicy.posts from authenticated;',
      }),
    ])
  })

  it('force_rls_missing and login_owns_rls_table: the login role owns an RLS table', async () => {
    await admin.query(`${CLEAN_TABLE('c_owner')}
      create table c_owner.forced (id int); alter table c_owner.forced enable row level security, force row level security;
      alter table c_owner.notes owner to authenticator; alter table c_owner.forced owner to authenticator;`)
    const findings = await lint({ schemas: ['c_owner'] })
    expect(summary(findings)).toEqual([
      { id: 'force_rls_missing', severity: 'error', object: 'table c_owner.notes' },
      { id: 'login_owns_rls_table', severity: 'warning', object: 'table c_owner.forced' },
      { id: 'login_owns_rls_table', severity: 'warning', object: 'table c_owner.notes' },
    ])
    expect(findings[0]?.fix).toBe('alter table c_owner.notes force row level security;')
  })

  it('policy_per_row_helper: helpers and current_setting outside a sub-select, with a fix that wraps them', async () => {
    await admin.query(`${CLEAN_TABLE('c_perrow')}
      create table c_perrow.docs (id int primary key, owner text, org text, body text);
      create index on c_perrow.docs (owner); create index on c_perrow.docs (org); create index on c_perrow.docs (body);
      alter table c_perrow.docs enable row level security;
      grant select, update on c_perrow.docs to authenticated;
      create policy docs_read on c_perrow.docs for select to authenticated
        using (owner = auth.user_id() or body = 'auth.user_id()' or org = (select auth.claim('org')));
      create policy docs_write on c_perrow.docs for update to authenticated
        using (org = pg_catalog.current_setting('request.jwt.claims', true)::jsonb ->> 'org')
        with check (owner = (select auth.user_id()));`)
    const findings = await lint({ schemas: ['c_perrow'] })
    expect(summary(findings)).toEqual([
      { id: 'policy_per_row_helper', severity: 'warning', object: 'policy docs_read on c_perrow.docs' },
      { id: 'policy_per_row_helper', severity: 'warning', object: 'policy docs_write on c_perrow.docs' },
    ])
    expect(findings[0]?.message).toMatch(/^It calls auth\.user_id\(\) outside a sub-select/)
    expect(findings[1]?.message).toMatch(/^It calls current_setting\(\) outside a sub-select/)
    // the suggested fix is valid SQL, and after it the rule is satisfied
    for (const finding of findings) await admin.query(finding.fix!)
    expect(await lint({ schemas: ['c_perrow'] })).toEqual([])
  })

  it('multiple_permissive: two permissive policies for one role and command', async () => {
    await admin.query(`${CLEAN_TABLE('c_multi')}
      create policy also_read on c_multi.notes for select to authenticated using (id > 0);
      create policy restricted on c_multi.notes as restrictive for select to authenticated using (true);`)
    const findings = await lint({ schemas: ['c_multi'] })
    expect(summary(findings)).toEqual([
      { id: 'multiple_permissive', severity: 'warning', object: 'table c_multi.notes' },
    ])
    expect(findings[0]?.message).toContain('authenticated for SELECT (also_read, own_notes)')
  })

  it('policy_to_public: a policy without TO', async () => {
    await admin.query(`${CLEAN_TABLE('c_public')}
      create table c_public.posts (id int primary key, published bool not null);
      alter table c_public.posts enable row level security;
      grant select on c_public.posts to anon;
      create policy published on c_public.posts for select using (published);`)
    const findings = await lint({ schemas: ['c_public'] })
    expect(summary(findings)).toEqual([
      { id: 'policy_to_public', severity: 'warning', object: 'policy published on c_public.posts' },
    ])
    expect(findings[0]?.fix).toBe('alter policy published on c_public.posts to anon, authenticated;')
  })

  it('policy_column_unindexed: a USING column without an index, also in a sub-select; not a boolean nor WITH CHECK', async () => {
    await admin.query(`${CLEAN_TABLE('c_index')}
      create table c_index.members (org text, member text);
      alter table c_index.members enable row level security;
      create table c_index.projects (id int primary key, org text not null, archived bool not null, creator text);
      alter table c_index.projects enable row level security;
      grant select, insert on c_index.projects to authenticated;
      create policy create_own on c_index.projects for insert to authenticated
        with check (creator = (select auth.user_id())); -- WITH CHECK tests the new row: no index needed
      create policy members_read on c_index.projects for select to authenticated
        using (not archived and org in (select m.org from c_index.members m where m.member = (select auth.user_id())));`)
    const findings = await lint({ schemas: ['c_index'] })
    expect(summary(findings)).toEqual([
      { id: 'policy_column_unindexed', severity: 'warning', object: 'column c_index.members.member' },
      { id: 'policy_column_unindexed', severity: 'warning', object: 'column c_index.members.org' },
      { id: 'policy_column_unindexed', severity: 'warning', object: 'column c_index.projects.org' },
    ])
    expect(findings[2]?.fix).toBe('create index on c_index.projects (org);')
  })

  describe('the login role', () => {
    it('login_superuser and login_bypassrls', async (context) => {
      if (!adminIsSuperuser) {
        console.warn('[lint.test] skipped: creating SUPERUSER and BYPASSRLS roles needs a superuser admin')
        return context.skip()
      }
      const superuser = await role('super', 'login superuser')
      const bypass = await role('bypass', 'login bypassrls noinherit in role anon, authenticated')
      const asSuperuser = await lint({ schemas: ['clean'], loginRole: superuser })
      expect(summary(asSuperuser)).toEqual([
        { id: 'login_superuser', severity: 'error', object: `role ${superuser}` },
      ])
      expect(asSuperuser[0]?.fix).toBe(`alter role ${superuser} nosuperuser;`)
      expect(summary(await lint({ schemas: ['clean'], loginRole: bypass }))).toEqual([
        { id: 'login_bypassrls', severity: 'error', object: `role ${bypass}` },
      ])
    })

    it('allowed_role_bypassrls: a role requests switch to bypasses RLS', async (context) => {
      if (!adminIsSuperuser) {
        console.warn('[lint.test] skipped: creating a BYPASSRLS role needs a superuser admin')
        return context.skip()
      }
      const bypass = await role('request_bypass', 'nologin bypassrls')
      await admin.query(`grant ${bypass} to authenticator`)
      const findings = await lint({ schemas: ['clean'], allowedRoles: ['anon', 'authenticated', bypass] })
      await admin.query(`revoke ${bypass} from authenticator`)
      expect(summary(findings)).toEqual([
        { id: 'allowed_role_bypassrls', severity: 'error', object: `role ${bypass}` },
      ])
    })

    it('login_inherit: the login role inherits the allowed roles', async () => {
      const inherit = await role('inherit', 'login inherit in role anon, authenticated')
      const findings = await lint({ schemas: ['clean'], loginRole: inherit })
      expect(summary(findings)).toEqual([
        { id: 'login_inherit', severity: 'warning', object: `role ${inherit}` },
      ])
      expect(findings[0]?.message).toContain('inherits the privileges of anon and authenticated')
    })

    it('login_not_granted_role: an allowed role it cannot switch to, or that does not exist', async () => {
      const lonely = await role('lonely', 'login noinherit in role anon')
      const findings = await lint({
        schemas: ['clean'],
        loginRole: lonely,
        allowedRoles: ['anon', 'authenticated', 'ghost'],
      })
      expect(summary(findings)).toEqual([
        { id: 'login_not_granted_role', severity: 'error', object: 'role authenticated' },
        { id: 'login_not_granted_role', severity: 'error', object: 'role ghost' },
      ])
      expect(findings[1]?.message).toBe(
        'The allowed role ghost does not exist: every request for it fails with ROLE_UNKNOWN.',
      )
    })

    it('login_extra_roles: the login role is a member of a role outside the allowed ones', async () => {
      const extra = await role('extra', 'login noinherit in role anon, authenticated, pg_read_all_data')
      const findings = await lint({ schemas: ['clean'], loginRole: extra })
      expect(summary(findings)).toEqual([
        { id: 'login_extra_roles', severity: 'warning', object: `role ${extra}` },
      ])
      expect(findings[0]?.fix).toBe(`revoke pg_read_all_data from ${extra};`)
    })
  })

  describe('the SQL helpers', () => {
    it('helpers_missing: no schema, or a function dropped', async () => {
      expect(summary(await lint({ schemas: ['clean'], helpersSchema: 'nowhere' }))).toEqual([
        { id: 'helpers_missing', severity: 'error', object: 'schema nowhere' },
      ])
      await installHelpers(admin, { schema: 'partial' })
      await admin.query('drop function partial.email()')
      const findings = await lint({ schemas: ['clean'], helpersSchema: 'partial' })
      expect(summary(findings)).toEqual([
        { id: 'helpers_missing', severity: 'error', object: 'schema partial' },
      ])
      expect(findings[0]?.message).toMatch(/^The SQL helpers partial\.email\(\) are missing/)
    })

    it('helpers_outdated: an older version, or none recorded', async () => {
      await installHelpers(admin, { schema: 'older' })
      await admin.query(`comment on schema older is 'pg-claims helpers v0'`)
      expect(summary(await lint({ schemas: ['clean'], helpersSchema: 'older' }))).toEqual([
        { id: 'helpers_outdated', severity: 'warning', object: 'schema older' },
      ])
      await admin.query('comment on schema older is null')
      const [finding] = await lint({ schemas: ['clean'], helpersSchema: 'older' })
      expect(finding?.message).toMatch(
        /^The SQL helpers were installed by a pg-claims that recorded no version/,
      )
    })

    it('helpers_schema_foreign_owner: the schema belongs to another role, or to the login role', async () => {
      const other = await role('other', 'nologin')
      // installHelpers refuses a schema someone else owns, so the schema changes hands afterwards
      await installHelpers(admin, { schema: 'foreign_h' })
      await admin.query(`alter schema foreign_h owner to ${other}`)
      const findings = await lint({ schemas: ['clean'], helpersSchema: 'foreign_h' })
      expect(summary(findings)).toEqual([
        { id: 'helpers_schema_foreign_owner', severity: 'error', object: 'schema foreign_h' },
      ])
      await installHelpers(admin, { schema: 'login_h' })
      await admin.query('alter schema login_h owner to authenticator')
      const [finding] = await lint({ schemas: ['clean'], helpersSchema: 'login_h' })
      expect(finding).toMatchObject({ id: 'helpers_schema_foreign_owner', severity: 'error' })
      expect(finding?.message).toContain('a role the application logs in or switches to')
    })
  })

  it('pre_request_not_callable: a missing preRequest function, or one the login role may not execute', async () => {
    await admin.query(`
      create schema pre;
      create function pre.open_gate() returns void language sql as 'select';
      create function pre.private_gate() returns void language sql as 'select';
      revoke execute on function pre.private_gate() from public;
      grant execute on function pre.private_gate() to anon, authenticated;`)
    expect(await lint({ schemas: ['clean'], preRequest: 'pre.open_gate' })).toEqual([])
    expect(summary(await lint({ schemas: ['clean'], preRequest: 'pre.missing_gate' }))).toEqual([
      { id: 'pre_request_not_callable', severity: 'error', object: 'function pre.missing_gate()' },
    ])
    const [finding, ...others] = await lint({ schemas: ['clean'], preRequest: 'pre.private_gate' })
    expect(others).toEqual([])
    expect(finding).toMatchObject({
      id: 'pre_request_not_callable',
      fix: 'grant execute on function pre.private_gate() to authenticator;',
    })
    await admin.query(finding!.fix!)
    expect(await lint({ schemas: ['clean'], preRequest: 'pre.private_gate' })).toEqual([])
    await expect(lint({ preRequest: 'no_schema' })).rejects.toMatchObject({ code: 'CONFIG_INVALID' })
  })

  it('refuses a Pool, empty options and an unknown login role with CONFIG_INVALID', async () => {
    const pool = new pg.Pool({ connectionString: database.url })
    try {
      await expect(lintDatabase(pool)).rejects.toMatchObject({ code: 'CONFIG_INVALID' })
    } finally {
      await pool.end()
    }
    await expect(lint({ schemas: [] })).rejects.toMatchObject({ code: 'CONFIG_INVALID' })
    await expect(lint({ helpersSchema: 'Bad' })).rejects.toMatchObject({ code: 'CONFIG_INVALID' })
    await expect(lint({ loginRole: 'nobody_at_all' })).rejects.toMatchObject({
      code: 'CONFIG_INVALID',
      message: 'lint: the login role "nobody_at_all" does not exist',
    })
  })
})

describe('expressionCalls (the deparsed-expression walk behind policy_per_row_helper)', () => {
  const calls = (text: string) =>
    expressionCalls(text).map(({ schema, name, inSubSelect }) => ({ schema, name, inSubSelect }))

  it('tells a call in a sub-select from one evaluated per row, at any depth', () => {
    expect(
      calls(`((owner = ( SELECT auth.user_id() AS user_id)) OR (org = auth.claim('org'::text)))`),
    ).toEqual([
      { schema: 'auth', name: 'user_id', inSubSelect: true },
      { schema: 'auth', name: 'claim', inSubSelect: false },
    ])
    expect(calls(`(EXISTS ( SELECT 1 FROM m WHERE (m.u = auth.user_id())))`)).toEqual([
      { schema: 'auth', name: 'user_id', inSubSelect: true },
    ])
  })

  it('is not fooled by literals, quoted identifiers or comments that look like calls', () => {
    expect(
      calls(
        `((body = 'auth.user_id() ''(SELECT'' )') AND ("auth.user_id("() = E'\\' auth.uid()') /* auth.uid() */)`,
      ),
    ).toEqual([{ schema: undefined, name: 'auth.user_id(', inSubSelect: false }])
    expect(calls(`("My Schema"."User"() = current_setting('x'::text, true))`)).toEqual([
      { schema: 'My Schema', name: 'User', inSubSelect: false },
      { schema: undefined, name: 'current_setting', inSubSelect: false },
    ])
  })

  it('wrapCalls wraps the outermost per-row calls only', () => {
    const text = `(a = auth.claim(auth.role()))`
    expect(wrapCalls(text, expressionCalls(text))).toBe(`(a = (select auth.claim(auth.role())))`)
  })
})
