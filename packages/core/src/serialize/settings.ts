import { PgClaimsError } from '../errors.js'
import { assertStorableText } from '../sql/literal.js'
import { claimNameProblem, isCustomSettingName, type SkippedClaimReason } from '../sql/setting-names.js'
import { BUILT_IN_SETTINGS, builtInValueProblem, isBuiltInSetting } from './built-in-settings.js'
import { assertStorableJson } from './json-value.js'
import { REQUEST_SETTING_NAMES } from './request-context.js'

/**
 * One transaction-local setting: `[name, value]`, applied with `set_config(name, value, true)`.
 *
 * @example
 * ```ts
 * const setting: Setting = ['jwt.claims.sub', 'user-1']
 * ```
 */
export type Setting = readonly [name: string, value: string]

/**
 * Which settings are written, besides `role` and `request.jwt.claims` (always written).
 *
 * @example
 * ```ts
 * const settings: SettingsOptions = {
 *   jwtClaims: true,              // jwt.claims.<name> (PostGraphile spec), the default
 *   requestJwtClaim: false,       // legacy request.jwt.claim.<name> (PostgREST < 12)
 *   extra: (claims) => ({ 'app.tenant': String(claims.tenant) }),
 *   onSkippedClaim: (name, reason) => console.warn(`claim ${name} left out: ${reason}`),
 * }
 * ```
 */
export interface SettingsOptions<TClaims = Record<string, unknown>> {
  /** Write `jwt.claims.<name>` for each claim. Default `true`. */
  readonly jwtClaims?: boolean
  /** Write the legacy `request.jwt.claim.<name>` for each claim. Default `false`. */
  readonly requestJwtClaim?: boolean
  /**
   * More settings from the claims and role: dotted custom names (`app.tenant`) or built-in ones
   * from {@link BUILT_IN_SETTINGS} (`statement_timeout`, …), string values. They may not reuse a
   * name pg-claims writes.
   */
  readonly extra?: (claims: TClaims | null, role: string | null) => Readonly<Record<string, string>>
  /** Told of each claim left out of the per-claim families (it stays in `request.jwt.claims`). */
  readonly onSkippedClaim?: (name: string, reason: SkippedClaimReason) => void
}

/**
 * The name of the setting that holds the whole claims set as JSON.
 *
 * @example
 * ```ts
 * await client.query('select current_setting($1, true)', [CLAIMS_SETTING])
 * ```
 */
export const CLAIMS_SETTING = 'request.jwt.claims'
/**
 * The name of the setting that switches the role.
 *
 * @example
 * ```ts
 * context.settings.find(([name]) => name === ROLE_SETTING) // ['role', 'authenticated']
 * ```
 */
export const ROLE_SETTING = 'role'
const JWT_CLAIMS_PREFIX = 'jwt.claims.'
const REQUEST_JWT_CLAIM_PREFIX = 'request.jwt.claim.'

/**
 * Serializes a verified claims set and its role into the ordered settings of a transaction:
 * `role`, then `request.jwt.claims` (JSON), then `jwt.claims.<name>` per claim (on by default),
 * then legacy `request.jwt.claim.<name>` (opt-in), then `extra`. Pure: no I/O.
 *
 * As PostgREST does, the claims written carry the EFFECTIVE role under `role` (the role the
 * transaction switches to), so `auth.role()` and `jwt.claims.role` read the role the transaction
 * runs as: an anonymous caller's claims are `{"role":"anon"}`, and a token whose role came from
 * `roles.claim: 'app_metadata.role'` or from `roles.default` has its top-level `role` replaced.
 * Without role switching (`role` is `null`), the claims are written as signed, and `null` claims
 * are written as `''`, which the SQL helpers read as "no claims".
 *
 * @example
 * ```ts
 * serializeSettings({ sub: 'u1', n: 2 }, 'authenticated', {})
 * // [['role', 'authenticated'], ['request.jwt.claims', '{"sub":"u1","n":2,"role":"authenticated"}'],
 * //  ['jwt.claims.sub', 'u1'], ['jwt.claims.n', '2'], ['jwt.claims.role', 'authenticated']]
 * ```
 */
export function serializeSettings<TClaims>(
  claims: Readonly<Record<string, unknown>> | null,
  role: string | null,
  options: SettingsOptions<TClaims>,
  typedClaims: TClaims | null = claims as TClaims | null,
): Setting[] {
  const settings: Setting[] = []
  if (role !== null) settings.push([ROLE_SETTING, role])
  const written = role === null ? claims : { ...claims, role }
  if (written === null) {
    settings.push([CLAIMS_SETTING, ''])
  } else {
    assertStorableJson(written)
    settings.push([CLAIMS_SETTING, JSON.stringify(written)])
    const families = [
      options.jwtClaims !== false ? JWT_CLAIMS_PREFIX : undefined,
      options.requestJwtClaim === true ? REQUEST_JWT_CLAIM_PREFIX : undefined,
    ]
    for (const prefix of families) {
      if (prefix !== undefined) settings.push(...perClaimSettings(prefix, written, options.onSkippedClaim))
    }
  }
  if (options.extra !== undefined) {
    settings.push(...checkedSettings('settings.extra', callExtra(options.extra, typedClaims, role), settings))
  }
  return settings
}

function perClaimSettings(
  prefix: string,
  claims: Readonly<Record<string, unknown>>,
  onSkippedClaim: SettingsOptions['onSkippedClaim'],
): Setting[] {
  const byLowerName = new Map<string, string[]>()
  for (const name of Object.keys(claims)) {
    const lower = name.toLowerCase()
    byLowerName.set(lower, [...(byLowerName.get(lower) ?? []), name])
  }
  const settings: Setting[] = []
  for (const [name, value] of Object.entries(claims)) {
    const problem =
      claimNameProblem(prefix, name) ??
      (byLowerName.get(name.toLowerCase())!.length > 1 ? 'case-collision' : undefined)
    if (problem !== undefined) {
      try {
        onSkippedClaim?.(name, problem)
      } catch (error) {
        throw new PgClaimsError('SETTING_INVALID', 'settings.onSkippedClaim threw', { cause: error })
      }
      continue
    }
    const text = claimValueText(value)
    if (text !== undefined) settings.push([prefix + name, text])
  }
  return settings
}

/**
 * The text of one claim in the PostGraphile serialization: strings as they are, numbers and
 * booleans with `String()`, objects and arrays as JSON, `null` left out (`undefined`).
 *
 * @example
 * ```ts
 * claimValueText(42) // '42'
 * claimValueText({ a: 1 }) // '{"a":1}'
 * claimValueText(null) // undefined
 * ```
 */
export function claimValueText(value: unknown): string | undefined {
  if (value === null || value === undefined) return undefined
  if (typeof value === 'string') return value
  if (typeof value === 'number' || typeof value === 'boolean') return String(value)
  return JSON.stringify(value)
}

function callExtra<TClaims>(
  extra: NonNullable<SettingsOptions<TClaims>['extra']>,
  claims: TClaims | null,
  role: string | null,
): Readonly<Record<string, string>> {
  let result: Readonly<Record<string, string>>
  try {
    result = extra(claims, role)
  } catch (error) {
    throw new PgClaimsError('SETTING_INVALID', 'settings.extra threw', { cause: error })
  }
  if (result === null || typeof result !== 'object') {
    throw new PgClaimsError(
      'SETTING_INVALID',
      `settings.extra returned ${String(result)}; return an object of settings`,
    )
  }
  return result
}

/**
 * Checks settings that come from outside pg-claims (`settings.extra`, a call's `settings`) against
 * the ones already `written`, and returns them in order. A name must be a dotted custom name or one
 * of {@link BUILT_IN_SETTINGS} (with a value PostgreSQL takes), and not one pg-claims writes itself
 * (`role`, `request.jwt.*`, `jwt.claims.*`, `request.method|path|headers|cookies`); values are
 * strings. Anything else throws `SETTING_INVALID`, before anything is sent.
 *
 * @example
 * ```ts
 * checkedSettings('settings.extra', { 'app.tenant': 't1', statement_timeout: '5s' }, [])
 * // [['app.tenant', 't1'], ['statement_timeout', '5s']]
 * ```
 */
export function checkedSettings(
  origin: string,
  entries: Readonly<Record<string, string>>,
  written: readonly Setting[],
): Setting[] {
  const taken = new Set(written.map(([name]) => name.toLowerCase()))
  return Object.entries(entries).map(([name, value]): Setting => {
    const lower = name.toLowerCase()
    if (
      !(isCustomSettingName(name) || isBuiltInSetting(name)) ||
      taken.has(lower) ||
      lower.startsWith('jwt.claims.') ||
      lower.startsWith('request.jwt.') ||
      REQUEST_SETTING_NAMES.has(lower)
    ) {
      throw new PgClaimsError(
        'SETTING_INVALID',
        `${origin} gave "${name}": use a dotted custom name (like "app.tenant", at most 63 bytes) that pg-claims does not write itself, or one of ${BUILT_IN_SETTINGS.join(', ')}`,
      )
    }
    if (typeof value !== 'string') {
      throw new PgClaimsError(
        'SETTING_INVALID',
        `${origin} gave a ${typeof value} for "${name}"; values are strings`,
      )
    }
    const problem = isBuiltInSetting(name) ? builtInValueProblem(name, value) : undefined
    if (problem !== undefined) {
      throw new PgClaimsError(
        'SETTING_INVALID',
        `${origin} gave ${JSON.stringify(value)} for ${name}: use ${problem}`,
      )
    }
    assertStorableText(value, `the setting ${name}`)
    taken.add(lower)
    return [name, value]
  })
}
