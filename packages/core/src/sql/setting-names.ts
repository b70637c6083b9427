/** Longest identifier PostgreSQL keeps (NAMEDATALEN − 1), in bytes. */
export const MAX_SETTING_NAME_BYTES = 63

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_$]*$/
const DOTTED_NAME = /^[A-Za-z_][A-Za-z0-9_$]*(?:\.[A-Za-z_][A-Za-z0-9_$]*)+$/

/**
 * Why a claim was left out of a per-claim settings family (`jwt.claims.<name>`,
 * `request.jwt.claim.<name>`). It is still in `request.jwt.claims`.
 *
 * - `invalid-name`: not a plain identifier (hyphens, dots, URLs, non-ASCII), which PostgreSQL 14+
 *   rejects or which could be read as another setting.
 * - `too-long`: the whole setting name would be over 63 bytes.
 * - `case-collision`: setting names are case-insensitive, so claims that differ only in case would
 *   overwrite each other; all of them are left out.
 *
 * @example
 * ```ts
 * const onSkippedClaim = (name: string, reason: SkippedClaimReason) => log.warn({ name, reason })
 * ```
 */
export type SkippedClaimReason = 'invalid-name' | 'too-long' | 'case-collision'

/**
 * Checks a claim name for a per-claim family with the given prefix. Returns why it is left out,
 * or `undefined` when `prefix + name` is a setting name PostgreSQL accepts unchanged.
 *
 * @example
 * ```ts
 * claimNameProblem('jwt.claims.', 'user_id') // undefined
 * claimNameProblem('jwt.claims.', 'https://example.com/roles') // 'invalid-name'
 * ```
 */
export function claimNameProblem(prefix: string, name: string): SkippedClaimReason | undefined {
  if (!IDENTIFIER.test(name)) return 'invalid-name'
  if (prefix.length + name.length > MAX_SETTING_NAME_BYTES) return 'too-long'
  return undefined
}

/**
 * Whether `name` is a custom setting name PostgreSQL accepts: two or more identifiers joined by
 * dots, at most 63 bytes, ASCII only.
 *
 * @example
 * ```ts
 * isCustomSettingName('request.method') // true
 * isCustomSettingName('search_path') // false: not a custom (dotted) name
 * ```
 */
export function isCustomSettingName(name: string): boolean {
  return DOTTED_NAME.test(name) && name.length <= MAX_SETTING_NAME_BYTES
}
