import { spawnSync } from 'node:child_process'
import { copyFileSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs'
import { chmod } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { firstBlockedDirectory, osUser, rootAccessProblem } from '../src/root-access.js'

let base: string
let locked: string
let inside: string

beforeAll(() => {
  base = mkdtempSync(join(tmpdir(), 'pg-claims-root-access-'))
  locked = join(base, 'home')
  inside = join(locked, 'project', 'node_modules', 'bin')
  mkdirSync(inside, { recursive: true })
})

afterAll(async () => {
  await chmod(locked, 0o755)
  rmSync(base, { recursive: true, force: true })
})

const stranger = { name: 'stranger', uid: 4_000_001, gids: [4_000_001] }

describe('can the OS user postgres reach the binaries? (embedded PostgreSQL as root)', () => {
  it('finds a directory closed to others on the way (a checkout under a 0700 home)', async () => {
    await chmod(base, 0o755)
    await chmod(locked, 0o700)
    expect(firstBlockedDirectory(inside, stranger)).toBe(locked)
    expect(firstBlockedDirectory(inside, undefined)).toBe(locked)
    const problem = rootAccessProblem([inside], stranger)
    expect(problem).toContain(`cannot enter ${locked} (mode 0700)`)
    expect(problem).toContain(`chmod o+x ${locked}`)
    expect(problem).toContain('DATABASE_URL')
  })

  it('lets the owner and the group through by their own bits, and others by o+x', async () => {
    const owner = { name: 'me', uid: process.getuid?.() ?? 0, gids: [] }
    expect(firstBlockedDirectory(inside, owner)).toBeUndefined()
    await chmod(locked, 0o710)
    const group = { name: 'group', uid: 4_000_002, gids: [process.getgid?.() ?? 0] }
    expect(firstBlockedDirectory(inside, group)).toBeUndefined()
    expect(firstBlockedDirectory(inside, stranger)).toBe(locked)
    await chmod(locked, 0o701)
    expect(firstBlockedDirectory(inside, stranger)).toBeUndefined()
    expect(rootAccessProblem([inside, tmpdir()], stranger)).toBeUndefined()
    await chmod(locked, 0o700)
  })

  const postgres = osUser('postgres')
  const canSwitchUser = process.getuid?.() === 0 && postgres !== undefined
  if (!canSwitchUser) console.log('skipping the spawn check: it needs root and an OS user postgres')
  it.skipIf(!canSwitchUser)(
    'agrees with the OS: spawning as postgres fails with EACCES exactly when reported',
    async () => {
      const program = join(inside, 'true')
      copyFileSync('/bin/true', program)
      await chmod(program, 0o755)
      const run = () => spawnSync(program, [], { uid: postgres!.uid, gid: postgres!.gids[0]! })
      await chmod(locked, 0o700)
      expect(rootAccessProblem([inside], postgres)).toBeDefined()
      expect((run().error as NodeJS.ErrnoException | undefined)?.code).toBe('EACCES')
      await chmod(locked, 0o701)
      expect(rootAccessProblem([inside], postgres)).toBeUndefined()
      expect(run().status).toBe(0)
    },
  )
})
