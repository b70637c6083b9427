import { execFile } from 'node:child_process'
import { createHash } from 'node:crypto'
import { mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { promisify } from 'node:util'

const require = createRequire(import.meta.url)
const prismaCli = join(dirname(require.resolve('prisma/package.json')), 'build', 'index.js')
const prismaVersion: unknown = require('prisma/package.json').version

/**
 * Generates the Prisma client of `schema` into `output` (the generator's `output`, resolved), unless
 * the client there was generated from the same schema by the same Prisma version. Offline:
 * `PRISMA_SCHEMA_ENGINE_BINARY` (which generation does not use) points at an existing executable, so
 * the CLI does not try to download the schema engine. Test files run in parallel workers, so a
 * lock directory makes exactly one of them generate while the others wait.
 */
export async function ensureGeneratedClient(schema: string, output: string): Promise<void> {
  const stampFile = join(output, '.schema-stamp')
  const stamp = createHash('sha256')
    .update(`${String(prismaVersion)}\n${await readFile(schema, 'utf8')}`)
    .digest('hex')
  const current = () => readFile(stampFile, 'utf8').catch(() => '')
  if ((await current()) === stamp) return
  const lock = `${output}.lock`
  await mkdir(dirname(output), { recursive: true })
  await acquire(lock)
  try {
    if ((await current()) === stamp) return
    await rm(output, { recursive: true, force: true })
    await promisify(execFile)(process.execPath, [prismaCli, 'generate', '--schema', schema], {
      cwd: dirname(schema),
      env: {
        ...process.env,
        PRISMA_SCHEMA_ENGINE_BINARY: process.env.PRISMA_SCHEMA_ENGINE_BINARY ?? process.execPath,
        PRISMA_HIDE_UPDATE_MESSAGE: '1',
        CHECKPOINT_DISABLE: '1',
      },
    })
    await writeFile(stampFile, stamp)
  } finally {
    await rm(lock, { recursive: true, force: true })
  }
}

/** Takes the lock directory, waiting for another process; a lock older than a minute is stale. */
async function acquire(lock: string): Promise<void> {
  for (;;) {
    try {
      await mkdir(lock, { recursive: false })
      return
    } catch (error) {
      if (!(error instanceof Error && 'code' in error && error.code === 'EEXIST')) throw error
      const age = await stat(lock).then(
        (info) => Date.now() - info.mtimeMs,
        () => 0,
      )
      if (age > 60_000) await rm(lock, { recursive: true, force: true })
      else await new Promise((resolve) => setTimeout(resolve, 100))
    }
  }
}
