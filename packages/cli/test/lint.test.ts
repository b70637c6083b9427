import { installHelpers } from '@pg-claims/core'
import { createTestDatabase, type TestDatabase } from '@pg-claims/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { run } from '../src/run.js'
import { runCli } from './run-cli.js'

let database: TestDatabase

beforeAll(async () => {
  database = await createTestDatabase({
    setup: async (admin) => {
      await installHelpers(admin)
      await admin.query(`
        create schema clean;
        create table clean.notes (id serial primary key, owner text not null default auth.user_id());
        create index on clean.notes (owner);
        alter table clean.notes enable row level security;
        grant select on clean.notes to authenticated;
        create policy own_notes on clean.notes to authenticated using (owner = (select auth.user_id()));

        create schema slow;
        create table slow.notes (id serial primary key, owner text not null);
        create index on slow.notes (owner);
        alter table slow.notes enable row level security;
        grant select on slow.notes to authenticated;
        create policy own_notes on slow.notes to authenticated using (owner = auth.user_id());

        create table public.orders (id int primary key, total int);
        grant select on public.orders to anon;`)
    },
  })
})
afterAll(() => database.drop())

describe('pg-claims lint', () => {
  it('a clean schema: no findings, exit 0', async () => {
    const { code, stdout, stderr } = await runCli([
      'lint',
      '--database-url',
      database.url,
      '--schema',
      'clean',
    ])
    expect(stderr).toBe('')
    expect(code).toBe(0)
    expect(stdout).toBe(
      'pg-claims lint: no findings (schemas clean; allowed roles anon, authenticated; login role (the connected role); helpers in auth)\n',
    )
  })

  it('an error: a table, each finding with its rule, object, why and fix; exit 1', async () => {
    const { code, stdout } = await runCli(['lint', '--schema', 'public'], { DATABASE_URL: database.url })
    expect(code).toBe(1)
    expect(stdout).toBe(
      [
        'pg-claims lint: 1 error (schemas public; allowed roles anon, authenticated; login role (the connected role); helpers in auth)',
        '',
        'SEVERITY  RULE          OBJECT',
        'error     rls_disabled  table public.orders',
        '          Row-level security is off: anon may SELECT on every row, whatever the claims say.',
        '          fix: alter table public.orders enable row level security; -- then create a policy per role and command',
        '',
      ].join('\n'),
    )
  })

  it('--pre-request: a function the login role cannot call is an error', async () => {
    const args = ['lint', '--database-url', database.url, '--schema', 'clean', '--json']
    const { code, stdout } = await runCli([...args, '--pre-request', 'clean.missing_gate'])
    expect(code).toBe(1)
    expect(JSON.parse(stdout).findings).toMatchObject([
      { id: 'pre_request_not_callable', object: 'function clean.missing_gate()' },
    ])
    expect((await runCli([...args, '--pre-request', 'not-a-name'])).code).toBe(2)
  })

  it('--fail-on: warnings pass by default and fail with --fail-on warning', async () => {
    const args = ['lint', '--database-url', database.url, '--schema', 'slow']
    const byDefault = await runCli(args)
    expect(byDefault.code).toBe(0)
    expect(byDefault.stdout).toContain('warning   policy_per_row_helper  policy own_notes on slow.notes')
    expect(byDefault.stdout).toContain(
      'fix: alter policy own_notes on slow.notes using ((owner = (select auth.user_id())));',
    )
    expect((await runCli([...args, '--fail-on', 'warning'])).code).toBe(1)
    expect((await runCli([...args, '--fail-on', 'info'])).code).toBe(1)
  })

  it('--json: one document with the verdict, counts and findings', async () => {
    const { code, stdout } = await runCli([
      'lint',
      '--database-url',
      database.url,
      '--schema',
      'slow',
      '--schema',
      'clean',
      '--allowed-roles',
      'anon, authenticated',
      '--login-role',
      'authenticator',
      '--json',
    ])
    expect(code).toBe(0)
    expect(JSON.parse(stdout)).toEqual({
      ok: true,
      failOn: 'error',
      counts: { error: 0, warning: 1, info: 0 },
      findings: [
        {
          id: 'policy_per_row_helper',
          severity: 'warning',
          object: 'policy own_notes on slow.notes',
          message: expect.stringMatching(/^It calls auth\.user_id\(\) outside a sub-select/),
          fix: 'alter policy own_notes on slow.notes using ((owner = (select auth.user_id())));',
        },
      ],
    })
  })

  it('colours the severities only on a terminal, and not with NO_COLOR', async () => {
    const lint = async (env: Record<string, string>) => {
      let stdout = ''
      const sink = { isTTY: true, write: (text: string) => (stdout += text) }
      await run(['lint', '--database-url', database.url], { stdout: sink, stderr: sink, env })
      return stdout
    }
    expect(await lint({})).toContain('\u001b[31merror   \u001b[39m  rls_disabled')
    expect(await lint({ NO_COLOR: '1' })).not.toContain('\u001b[')
    expect((await runCli(['lint', '--database-url', database.url])).stdout).not.toContain('\u001b[')
  })

  it('usage errors (exit 2): no URL, a bad --fail-on, an unknown login role', async () => {
    expect(await runCli(['lint'])).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/^error USAGE: lint needs --database-url <url> or the DATABASE_URL/),
    })
    expect(await runCli(['lint', '--database-url', database.url, '--fail-on', 'fatal'])).toMatchObject({
      code: 2,
      stderr: expect.stringMatching(/^error USAGE: --fail-on must be error, warning or info; got "fatal"/),
    })
    expect(
      await runCli(['lint', '--database-url', database.url, '--login-role', 'nobody_here']),
    ).toMatchObject({
      code: 2,
      stderr: 'error CONFIG_INVALID: lint: the login role "nobody_here" does not exist\n',
    })
  })

  it('an unreachable server is a database error (exit 3)', async () => {
    const { code, stderr } = await runCli(['lint', '--database-url', 'postgres://nobody@127.0.0.1:1/none'])
    expect(code).toBe(3)
    expect(stderr).toMatch(/^error DATABASE: .*ECONNREFUSED/)
  })
})
