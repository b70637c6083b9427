import { cpSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import * as core from '@pg-claims/core'
import { createTestDatabase, TEST_SECRET, type TestDatabase } from '@pg-claims/testing'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

// A second copy of @pg-claims/core, as an app gets one when an adapter's core and its own differ:
// the built dist (and the src its source maps point at), copied to a directory of its own (its imports of jose and lru-cache resolve
// through a node_modules link to the workspace's), loaded as a separate module instance.
const packageDir = fileURLToPath(new URL('..', import.meta.url))
const workspaceModules = fileURLToPath(new URL('../../../node_modules', import.meta.url))
let copyDir: string
let other: typeof core
let database: TestDatabase

beforeAll(async () => {
  copyDir = mkdtempSync(join(tmpdir(), 'pg-claims-core-copy-'))
  for (const dir of ['dist', 'src']) cpSync(join(packageDir, dir), join(copyDir, dir), { recursive: true })
  writeFileSync(join(copyDir, 'package.json'), JSON.stringify({ name: 'core-copy', type: 'module' }))
  symlinkSync(workspaceModules, join(copyDir, 'node_modules'), 'dir')
  other = await import(pathToFileURL(join(copyDir, 'dist', 'index.js')).href)
  database = await createTestDatabase()
})

afterAll(async () => {
  await database?.drop()
  rmSync(copyDir, { recursive: true, force: true })
})

const settings = {
  secret: TEST_SECRET,
  roles: { default: 'anon', allowed: ['anon', 'authenticated', 'no_such_role'] },
}

/** What `promise` rejects with. */
async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => expect.unreachable('expected a rejection'),
    (error: unknown) => error,
  )
}

describe('two copies of @pg-claims/core in one process', () => {
  it('are really two module instances with two PgClaimsError classes', () => {
    expect(other.PgClaimsError).not.toBe(core.PgClaimsError)
    expect(Object.getPrototypeOf(new other.PgClaimsError('TOKEN_MISSING', 'x'))).not.toBe(
      core.PgClaimsError.prototype,
    )
  })

  it("recognize each other's token errors, by isPgClaimsError and instanceof", async () => {
    const fromOther = await rejection(other.createClaims(settings).resolve('not.a.token'))
    expect(core.isPgClaimsError(fromOther)).toBe(true)
    expect(core.isPgClaimsError(fromOther, 'TOKEN_MALFORMED')).toBe(true)
    expect(core.isPgClaimsError(fromOther, 'TOKEN_EXPIRED')).toBe(false)
    expect(fromOther instanceof core.PgClaimsError).toBe(true)

    const fromThis = await rejection(core.createClaims(settings).resolve('not.a.token'))
    expect(other.isPgClaimsError(fromThis, 'TOKEN_MALFORMED')).toBe(true)
    expect(fromThis instanceof other.PgClaimsError).toBe(true)
  })

  it("recognize each other's database errors (a role PostgreSQL does not know)", async () => {
    const pool = new pg.Pool({ connectionString: database.url, max: 1 })
    try {
      const db = other.claimsPool(pool, other.createClaims(settings))
      const error = await rejection(
        db.withVerifiedClaims({ sub: 'a', role: 'no_such_role' }).query('select 1'),
      )
      expect(core.isPgClaimsError(error, 'ROLE_UNKNOWN')).toBe(true)
      expect(error instanceof core.PgClaimsError && error.status).toBe(401)
    } finally {
      await pool.end()
    }
  })

  it('do not take look-alikes for pg-claims errors', () => {
    const lookAlike = Object.assign(new Error('x'), { code: 'TOKEN_EXPIRED', status: 401 })
    expect(core.isPgClaimsError(lookAlike)).toBe(false)
    expect(lookAlike instanceof core.PgClaimsError).toBe(false)
    expect(core.isPgClaimsError({ code: 'TOKEN_EXPIRED', status: 401 })).toBe(false)
    expect(core.isPgClaimsError(null)).toBe(false)
    expect(core.isPgClaimsError('TOKEN_EXPIRED')).toBe(false)
  })

  it('keep the usual instanceof for a subclass, and Error for both', () => {
    class AppError extends core.PgClaimsError {}
    const plain = new other.PgClaimsError('TOKEN_MISSING', 'x')
    expect(plain instanceof AppError).toBe(false)
    expect(new AppError('TOKEN_MISSING', 'x') instanceof AppError).toBe(true)
    expect(new AppError('TOKEN_MISSING', 'x') instanceof core.PgClaimsError).toBe(true)
    expect(plain instanceof Error).toBe(true)
  })
})
