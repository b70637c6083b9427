import { type LintFinding, type LintOptions, lintDatabase } from '@pg-claims/core'
import { withClient } from './admin-client.js'

/**
 * Lints a test database as its login role (`authenticator`, through `url`) and returns each
 * finding's rule, severity and object: what an example's test asserts about its schema.
 *
 * @example
 * ```ts
 * expect(await lintFindings(database.url)).toEqual([
 *   { id: 'no_policy_for_role', severity: 'warning', object: 'table public.notes' },
 * ])
 * ```
 */
export async function lintFindings(
  url: string,
  options: LintOptions = {},
): Promise<Pick<LintFinding, 'id' | 'severity' | 'object'>[]> {
  const findings = await withClient(url, (client) => lintDatabase(client, options))
  return findings.map(({ id, severity, object }) => ({ id, severity, object }))
}
