import { type ChildProcess, execFileSync, spawn } from 'node:child_process'
import { existsSync } from 'node:fs'
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { connect } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { findFreePort } from '@pg-claims/testing'

const CANDIDATES = ['/usr/sbin/pgbouncer', '/usr/bin/pgbouncer', '/usr/local/bin/pgbouncer']

/** The pgbouncer binary, or undefined when it is not installed (`apt-get install pgbouncer`). */
export function findPgBouncer(): string | undefined {
  return CANDIDATES.find((path) => existsSync(path))
}

/** A running PgBouncer in transaction-pooling mode in front of one database. */
export interface PgBouncer {
  /** `url` with host and port replaced by PgBouncer's. */
  readonly url: string
  /** Server connections PgBouncer may open for the database and user. */
  readonly serverConnections: number
  stop(): Promise<void>
}

async function waitForPort(port: number, child: ChildProcess, log: () => string): Promise<void> {
  for (let attempt = 0; attempt < 100; attempt += 1) {
    if (child.exitCode !== null) throw new Error(`pgbouncer exited with ${child.exitCode}: ${log()}`)
    const open = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1')
      socket.once('connect', () => resolve(socket.end() !== undefined))
      socket.once('error', () => resolve(false))
    })
    if (open) return
    await sleep(50)
  }
  throw new Error(`pgbouncer did not listen on ${port}: ${log()}`)
}

/**
 * Starts PgBouncer (`binary`) with `pool_mode = transaction` in front of the database of `url`
 * (the `authenticator` role's URL), allowing it `serverConnections` server connections. PgBouncer
 * refuses to run as root, so as root it runs as the `postgres` user.
 */
export async function startPgBouncer(
  binary: string,
  url: string,
  serverConnections: number,
): Promise<PgBouncer> {
  const upstream = new URL(url)
  const user = decodeURIComponent(upstream.username)
  const password = decodeURIComponent(upstream.password)
  const dir = await mkdtemp(join(tmpdir(), 'pg-claims-pgbouncer-'))
  await chmod(dir, 0o777)
  const port = await findFreePort()
  const ini = join(dir, 'pgbouncer.ini')
  await writeFile(join(dir, 'userlist.txt'), `"${user}" "${password}"\n`)
  await writeFile(
    ini,
    [
      '[databases]',
      `* = host=${upstream.hostname} port=${upstream.port}`,
      '[pgbouncer]',
      'listen_addr = 127.0.0.1',
      `listen_port = ${port}`,
      'unix_socket_dir =',
      'auth_type = trust',
      `auth_file = ${join(dir, 'userlist.txt')}`,
      'pool_mode = transaction',
      `default_pool_size = ${serverConnections}`,
      'max_client_conn = 500',
      'ignore_startup_parameters = extra_float_digits,options',
      `logfile = ${join(dir, 'pgbouncer.log')}`,
      `pidfile = ${join(dir, 'pgbouncer.pid')}`,
      '',
    ].join('\n'),
  )
  await chmod(join(dir, 'userlist.txt'), 0o644)
  const asRoot = process.getuid?.() === 0
  const ids = asRoot
    ? {
        uid: Number(execFileSync('id', ['-u', 'postgres'])),
        gid: Number(execFileSync('id', ['-g', 'postgres'])),
      }
    : {}
  let output = ''
  const child = spawn(binary, [ini], { ...ids, stdio: ['ignore', 'pipe', 'pipe'] })
  child.stdout?.on('data', (chunk) => {
    output += String(chunk)
  })
  child.stderr?.on('data', (chunk) => {
    output += String(chunk)
  })
  try {
    await waitForPort(port, child, () => output)
  } catch (error) {
    child.kill('SIGKILL')
    await rm(dir, { recursive: true, force: true })
    throw error
  }
  const through = new URL(url)
  through.hostname = '127.0.0.1'
  through.port = String(port)
  return {
    url: through.toString(),
    serverConnections,
    stop: async () => {
      const exited = new Promise((resolve) => child.once('exit', resolve))
      child.kill('SIGINT')
      await exited
      await rm(dir, { recursive: true, force: true })
    },
  }
}
