import { PgClaimsError } from '../errors.js'

/**
 * How the PostgreSQL role of a transaction is chosen.
 *
 * @example
 * ```ts
 * const roles: RoleOptions = {
 *   claim: 'role',            // or a path: 'app_metadata.role' / ['app_metadata', 'role']
 *   default: 'anon',          // no token, or no role claim; leave out to refuse both
 *   allowed: ['anon', 'authenticated'],
 * }
 * ```
 */
export interface RoleOptions {
  /** Where the role is in the claims: a name, a dotted path, or a path as an array. Default `'role'`. */
  readonly claim?: string | readonly string[]
  /** The role for a caller with no token or no role claim. Without it, both are refused. */
  readonly default?: string
  /**
   * The roles a transaction may switch to: a list, or a predicate. Required. `none` (any case) is
   * always refused. A predicate must not allow the login role's own name, nor any role that is not
   * meant for tokens (a superuser, the table owner).
   */
  readonly allowed: readonly string[] | ((role: string) => boolean)
}

/** Role options after defaults and checks. */
export interface ResolvedRoleOptions {
  readonly path: readonly string[]
  readonly default: string | undefined
  readonly isAllowed: (role: string) => boolean
}

/**
 * Checks role options once, at configuration time.
 *
 * @example
 * ```ts
 * const resolved = resolveRoleOptions({ default: 'anon', allowed: ['anon', 'authenticated'] })
 * resolved.path // ['role']
 * ```
 */
export function resolveRoleOptions(options: RoleOptions): ResolvedRoleOptions {
  const claim = options.claim ?? 'role'
  const path = typeof claim === 'string' ? claim.split('.') : isStringList(claim) ? [...claim] : []
  if (path.length === 0 || path.some((part) => part.length === 0)) {
    throw new PgClaimsError('CONFIG_INVALID', `roles.claim must name a claim; got ${JSON.stringify(claim)}`)
  }
  const allowed = options.allowed
  if (allowed !== undefined && typeof allowed !== 'function' && !isStringList(allowed)) {
    // a string would match its substrings through String#includes: 'authenticated' would allow 'auth'
    throw new PgClaimsError(
      'CONFIG_INVALID',
      `roles.allowed must be an array of role names or a predicate; got ${JSON.stringify(allowed)}`,
    )
  }
  if (allowed === undefined) {
    throw new PgClaimsError(
      'CONFIG_INVALID',
      'roles.allowed is required: list the roles a token may switch to (for example ["anon", "authenticated"])',
    )
  }
  const named = [...(typeof allowed === 'function' ? [] : allowed), options.default ?? '']
  const none = named.find(isNoRoleSwitch)
  if (none !== undefined) {
    throw new PgClaimsError(
      'CONFIG_INVALID',
      `roles cannot name "${none}": PostgreSQL reads role none as "no switch", so the transaction would run as the login role`,
    )
  }
  const isAllowed =
    typeof allowed === 'function' ? guardedPredicate(allowed) : (role: string) => allowed.includes(role)
  if (options.default !== undefined && !isAllowed(options.default)) {
    throw new PgClaimsError('CONFIG_INVALID', `roles.default "${options.default}" is not in roles.allowed`)
  }
  return { path, default: options.default, isAllowed }
}

/**
 * Picks the role for a verified claims set (or `null` for an anonymous caller).
 *
 * @example
 * ```ts
 * roleForClaims({ role: 'authenticated' }, resolveRoleOptions({ allowed: ['authenticated'] }))
 * // 'authenticated'
 * ```
 */
export function roleForClaims(
  claims: Readonly<Record<string, unknown>> | null,
  options: ResolvedRoleOptions,
): string {
  if (claims === null) {
    if (options.default === undefined) {
      throw new PgClaimsError(
        'TOKEN_MISSING',
        'A token is required: anonymous access is off (set roles.default to allow it)',
      )
    }
    return options.default
  }
  const value = claimAtPath(claims, options.path)
  if (value === undefined || value === null) {
    if (options.default === undefined) {
      throw new PgClaimsError(
        'ROLE_MISSING',
        `The token has no "${options.path.join('.')}" claim and no roles.default is configured`,
      )
    }
    return options.default
  }
  if (typeof value !== 'string' || value.length === 0) {
    throw new PgClaimsError(
      'CLAIM_INVALID',
      `The role claim "${options.path.join('.')}" must be a non-empty string`,
    )
  }
  if (isNoRoleSwitch(value)) {
    throw new PgClaimsError(
      'ROLE_NOT_ALLOWED',
      `The role "${value}" is never allowed: PostgreSQL reads it as "no role switch" (the login role)`,
    )
  }
  if (!options.isAllowed(value)) {
    throw new PgClaimsError('ROLE_NOT_ALLOWED', `The role "${value}" is not in roles.allowed`)
  }
  return value
}

function isStringList(value: unknown): value is readonly string[] {
  return Array.isArray(value) && value.every((item) => typeof item === 'string')
}

/** The predicate, with a throw turned into `CONFIG_INVALID` (a bug in the options, not the token). */
function guardedPredicate(allowed: (role: string) => boolean): (role: string) => boolean {
  return (role) => {
    try {
      return allowed(role)
    } catch (error) {
      throw new PgClaimsError('CONFIG_INVALID', `roles.allowed threw for the role "${role}"`, {
        cause: error,
      })
    }
  }
}

/** `none` (any case): `set_config('role', 'none')` keeps the login role instead of switching. */
function isNoRoleSwitch(role: string): boolean {
  return role.toLowerCase() === 'none'
}

function claimAtPath(claims: Readonly<Record<string, unknown>>, path: readonly string[]): unknown {
  let current: unknown = claims
  for (const key of path) {
    if (
      current === null ||
      typeof current !== 'object' ||
      Array.isArray(current) ||
      !Object.hasOwn(current, key)
    ) {
      return undefined
    }
    current = (current as Record<string, unknown>)[key]
  }
  return current
}
