import { readFileSync } from 'node:fs'

/**
 * The version of `@pg-claims/cli`, read from its package.json (next to both `src` and `dist`).
 *
 * @example
 * ```ts
 * cliVersion() // '0.1.0'
 * ```
 */
export function cliVersion(): string {
  const manifest: unknown = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'))
  const version =
    typeof manifest === 'object' && manifest !== null && 'version' in manifest ? manifest.version : undefined
  return typeof version === 'string' ? version : 'unknown'
}
