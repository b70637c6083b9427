import type { Setting, SkippedClaimReason } from '@pg-claims/core'

/**
 * What `pg-claims explain` found out about a token: everything pg-claims would apply for it.
 *
 * @example
 * ```ts
 * const explanation: Explanation = {
 *   algorithm: 'HS256',
 *   role: 'authenticated',
 *   claims: { sub: 'u1', role: 'authenticated' },
 *   settings: [['role', 'authenticated'], ['request.jwt.claims', '{"sub":"u1","role":"authenticated"}']],
 *   skippedClaims: [],
 *   sql: "SELECT set_config('role', 'authenticated', true), …",
 * }
 * ```
 */
export interface Explanation {
  /** The `alg` of the token's protected header. */
  readonly algorithm: string | undefined
  /** The role the transaction switches to; `null` when role switching is off. */
  readonly role: string | null
  /** The verified claims set. */
  readonly claims: unknown
  /** The settings, in the order they are applied (`context.settings`). */
  readonly settings: readonly Setting[]
  /** Claims left out of the per-claim `jwt.claims.<name>` settings (still in `request.jwt.claims`). */
  readonly skippedClaims: readonly { readonly name: string; readonly reason: SkippedClaimReason }[]
  /** The statement applying the settings (`context.settingsSql`), sent in the message with `BEGIN`. */
  readonly sql: string
  /** The role's settings (`--database-url`) that are not applied, and why. */
  readonly skippedRoleSettings?: readonly { readonly name: string; readonly reason: string }[]
}

/**
 * The human-readable explanation.
 *
 * @example
 * ```ts
 * io.stdout.write(formatExplanation(explanation))
 * // token: valid (HS256)
 * // role: authenticated
 * // …
 * ```
 */
export function formatExplanation(explanation: Explanation): string {
  const lines = [
    `token: valid${explanation.algorithm === undefined ? '' : ` (${explanation.algorithm})`}`,
    `role: ${explanation.role ?? '(unchanged: role switching is off; pass --allowed-roles to switch roles)'}`,
    '',
    'claims:',
    indent(JSON.stringify(explanation.claims, null, 2)),
    '',
    'settings (transaction-local, in this order):',
  ]
  const width = Math.max(0, ...explanation.settings.map(([name]) => name.length))
  for (const [name, value] of explanation.settings)
    lines.push(`  ${name.padEnd(width)}  ${displayValue(value)}`)
  if (explanation.skippedClaims.length > 0) {
    lines.push('', 'claims left out of jwt.claims.* (still in request.jwt.claims):')
    for (const { name, reason } of explanation.skippedClaims)
      lines.push(`  ${JSON.stringify(name)}: ${reason}`)
  }
  if (explanation.skippedRoleSettings !== undefined && explanation.skippedRoleSettings.length > 0) {
    lines.push('', 'role settings not applied:')
    for (const { name, reason } of explanation.skippedRoleSettings) lines.push(`  ${name}: ${reason}`)
  }
  lines.push(
    '',
    'sql (sent with BEGIN on a pool without pipelining; a pipelined pool binds the same settings as parameters):',
    indent(explanation.sql),
    '',
  )
  return lines.join('\n')
}

/**
 * The machine-readable explanation: one JSON document, settings as `{ name, value }` objects.
 *
 * @example
 * ```ts
 * const parsed = JSON.parse(explanationJson(explanation))
 * parsed.settings[0] // { name: 'role', value: 'authenticated' }
 * ```
 */
export function explanationJson(explanation: Explanation): string {
  return `${JSON.stringify(
    {
      valid: true,
      algorithm: explanation.algorithm ?? null,
      role: explanation.role,
      claims: explanation.claims,
      settings: explanation.settings.map(([name, value]) => ({ name, value })),
      skippedClaims: explanation.skippedClaims,
      ...(explanation.skippedRoleSettings !== undefined && {
        skippedRoleSettings: explanation.skippedRoleSettings,
      }),
      sql: explanation.sql,
    },
    null,
    2,
  )}\n`
}

/**
 * The machine-readable form of a refused token.
 *
 * @example
 * ```ts
 * refusalJson({ code: 'TOKEN_EXPIRED', status: 401, message: '…' })
 * // '{ "valid": false, "error": { "code": "TOKEN_EXPIRED", … } }'
 * ```
 */
export function refusalJson(error: { code: string; status: number; message: string }): string {
  return `${JSON.stringify(
    { valid: false, error: { code: error.code, status: error.status, message: error.message } },
    null,
    2,
  )}\n`
}

/** A value as it is when it is printable, as a JSON string when it holds control characters. */
function displayValue(value: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
  return /[\u0000-\u001f\u007f]/.test(value) ? JSON.stringify(value) : value
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((line) => `  ${line}`)
    .join('\n')
}
