import { execFile } from 'node:child_process'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { promisify } from 'node:util'

const require = createRequire(import.meta.url)

/**
 * `prisma generate` for prisma/schema.prisma, into src/generated/prisma. Works offline:
 * `PRISMA_SCHEMA_ENGINE_BINARY` points at an existing executable, so the CLI does not try to
 * download the schema engine (which generation does not use).
 */
export async function generateClient(): Promise<void> {
  const cli = join(dirname(require.resolve('prisma/package.json')), 'build', 'index.js')
  const schema = fileURLToPath(new URL('../prisma/schema.prisma', import.meta.url))
  await promisify(execFile)(process.execPath, [cli, 'generate', '--schema', schema], {
    cwd: dirname(schema),
    env: {
      ...process.env,
      PRISMA_SCHEMA_ENGINE_BINARY: process.env.PRISMA_SCHEMA_ENGINE_BINARY ?? process.execPath,
      PRISMA_HIDE_UPDATE_MESSAGE: '1',
      CHECKPOINT_DISABLE: '1',
    },
  })
}
