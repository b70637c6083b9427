import { helpersSql } from '@pg-claims/core'
import { describe, expect, it } from 'vitest'
import { runCli } from './run-cli.js'

describe('pg-claims sql', () => {
  it('prints the helpers migration for schema auth', async () => {
    const { code, stdout, stderr } = await runCli(['sql'])
    expect(code).toBe(0)
    expect(stderr).toBe('')
    expect(stdout).toBe(helpersSql())
    expect(stdout).toContain('create or replace function auth.user_id()')
  })

  it('--schema picks another schema', async () => {
    const { code, stdout } = await runCli(['sql', '--schema', 'claims'])
    expect(code).toBe(0)
    expect(stdout).toBe(helpersSql({ schema: 'claims' }))
    expect(stdout).toContain('create schema if not exists claims;')
    expect(stdout).not.toContain('auth.')
  })

  it.each([
    ['Auth"; drop table x; --', 'must be lower-case letters'],
    ['pg_claims', 'reserved by PostgreSQL'],
  ])('refuses the schema %j as CONFIG_INVALID with exit code 2', async (schema, reason) => {
    const { code, stdout, stderr } = await runCli(['sql', '--schema', schema])
    expect(code).toBe(2)
    expect(stdout).toBe('')
    expect(stderr).toMatch(/^error CONFIG_INVALID: schema /)
    expect(stderr).toContain(reason)
  })
})
