import { execFile } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'
import { TEST_SECRET } from '@pg-claims/testing'
import { beforeAll, describe, expect, it } from 'vitest'

const exec = promisify(execFile)
const packageDir = fileURLToPath(new URL('..', import.meta.url))
const bin = fileURLToPath(new URL('../bin/pg-claims.js', import.meta.url))
const tsc = fileURLToPath(new URL('../../../node_modules/typescript/bin/tsc', import.meta.url))

/** Runs the built bin as a child process; never rejects, so exit codes can be checked. */
async function runBin(args: string[], env: Record<string, string> = {}) {
  try {
    const { stdout, stderr } = await exec(process.execPath, [bin, ...args], {
      env: { PATH: process.env.PATH ?? '', ...env },
    })
    return { code: 0, stdout, stderr }
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string }
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr }
  }
}

describe('the bin npm links (bin/pg-claims.js, loading dist/main.js)', () => {
  beforeAll(async () => {
    // `npm run build` has usually built it already; tsc -b is then a quick no-op.
    await exec(process.execPath, [tsc, '-b', packageDir])
  }, 120_000)

  it('starts with a node shebang and prints --help and --version', async () => {
    const help = await runBin(['--help'])
    expect(help.code).toBe(0)
    expect(help.stdout).toContain('Usage: pg-claims <command> [options]')
    const version = await runBin(['--version'])
    expect(version.stdout).toMatch(/^\d+\.\d+\.\d+\n$/)
    const { readFile } = await import('node:fs/promises')
    expect((await readFile(bin, 'utf8')).startsWith('#!/usr/bin/env node\n')).toBe(true)
  })

  it('mints a token and explains it, and exits with the documented codes', async () => {
    const minted = await runBin(['token', '--claims', '{"sub":"u1","role":"authenticated"}'], {
      JWT_SECRET: TEST_SECRET,
    })
    expect(minted.code).toBe(0)
    const token = minted.stdout.trim()
    const explained = await runBin(['explain', token, '--allowed-roles', 'authenticated', '--json'], {
      JWT_SECRET: TEST_SECRET,
    })
    expect(explained.code).toBe(0)
    expect(JSON.parse(explained.stdout)).toMatchObject({
      valid: true,
      role: 'authenticated',
      claims: { sub: 'u1' },
    })

    const refused = await runBin(['explain', `${token}x`, '--secret', TEST_SECRET])
    expect(refused.code).toBe(1)
    expect(refused.stderr).toMatch(/^error TOKEN_/)
    const usage = await runBin(['nope'])
    expect(usage.code).toBe(2)
  })
})
