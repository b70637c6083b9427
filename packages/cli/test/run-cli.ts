import { run } from '../src/run.js'

/** What one in-process run of the CLI printed, and its exit code. */
export interface CliResult {
  code: number
  stdout: string
  stderr: string
}

/**
 * Runs the CLI in-process with captured output and the given environment (empty by default, so the
 * tests never see the machine's DATABASE_URL or JWT_SECRET).
 *
 * @example
 * ```ts
 * const { code, stdout } = await runCli(['sql'])
 * ```
 */
export async function runCli(argv: readonly string[], env: Record<string, string> = {}): Promise<CliResult> {
  let stdout = ''
  let stderr = ''
  const code = await run(argv, {
    stdout: { write: (text) => (stdout += text) },
    stderr: { write: (text) => (stderr += text) },
    env,
  })
  return { code, stdout, stderr }
}
