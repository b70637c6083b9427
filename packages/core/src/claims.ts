import type { JWTPayload } from 'jose'
import { PgClaimsError } from './errors.js'
import { type CallOptions, contextForCall } from './serialize/call-context.js'
import type { ClaimsContext } from './serialize/context.js'
import { assertStorableJson } from './serialize/json-value.js'
import {
  type ResolvedRoleOptions,
  type RoleOptions,
  resolveRoleOptions,
  roleForClaims,
} from './serialize/role.js'
import { type SettingsOptions, serializeSettings } from './serialize/settings.js'
import { RoleSettingsCache, type RoleSettingsOptions } from './session/role-settings.js'
import { functionCall } from './sql/function-call.js'
import { setConfigSql } from './sql/set-config.js'
import { createTokenCache } from './verify/token-cache.js'
import { createVerifier } from './verify/verifier.js'
import type { VerifyOptions } from './verify/verify-options.js'

/**
 * Everything pg-claims needs to turn a request's token into transaction settings.
 *
 * @example
 * ```ts
 * const options: ClaimsOptions = {
 *   secret: process.env.JWT_SECRET!,
 *   audience: 'api',
 *   roles: { claim: 'role', default: 'anon', allowed: ['anon', 'authenticated'] },
 * }
 * ```
 */
export interface ClaimsOptions<TClaims = JWTPayload> extends VerifyOptions<TClaims> {
  /** How the role is chosen. Leave out (or `false`) to keep the login role and refuse anonymous callers. */
  readonly roles?: RoleOptions | false
  /** Which settings are written besides `role` and `request.jwt.claims`. */
  readonly settings?: SettingsOptions<TClaims>
  /**
   * A function, `'schema.function'`, called with no arguments right after the settings, inside
   * every claims transaction and in the same flight (PostgREST's `db-pre-request`). An error it
   * raises fails the transaction with `PRE_REQUEST_FAILED` (its SQLSTATE and message kept).
   */
  readonly preRequest?: string
  /**
   * Apply the settings of the role a transaction switches to (`ALTER ROLE … SET`), as PostgREST
   * does: read from `source`, cached, refreshed every `refreshMs`. Needs `roles`.
   */
  readonly roleSettings?: RoleSettingsOptions
}

/**
 * Verifies tokens and serializes their claims; adapters turn the result into transactions.
 *
 * @example
 * ```ts
 * const claims = createClaims({ secret, roles: { default: 'anon', allowed: ['anon', 'authenticated'] } })
 * const context = await claims.resolve(token) // throws PgClaimsError on a bad token
 * ```
 */
export interface Claims<TClaims = JWTPayload> {
  /** Verifies `token` (or takes `null` as the anonymous caller) and serializes it. Cached per token. */
  resolve(token: string | null): Promise<ClaimsContext<TClaims>>
  /**
   * Serializes claims that your own auth layer already verified. Never pass anything a client sent:
   * nothing here checks a signature.
   */
  resolveVerified(claims: TClaims): ClaimsContext<TClaims>
  /**
   * The context one call runs with: `context` plus the settings of its role (`roleSettings`,
   * read on first use), the call's request context and its settings. Adapters call it through
   * `CallerScope`, after the token is verified and before a connection is taken.
   */
  forCall(context: ClaimsContext<TClaims>, call?: CallOptions): Promise<ClaimsContext<TClaims>>
}

/**
 * Creates the claims pipeline: verify (jose) → serialize → SQL, with a cache of verified tokens.
 * Options are checked here; a bad one throws `CONFIG_INVALID` at startup, not per request.
 *
 * @example
 * ```ts
 * import { createClaims } from '@pg-claims/core'
 * const claims = createClaims({
 *   secret: process.env.JWT_SECRET!,
 *   audience: 'api',
 *   roles: { default: 'anon', allowed: ['anon', 'authenticated'] },
 * })
 * ```
 */
export function createClaims<TClaims = JWTPayload>(options: ClaimsOptions<TClaims>): Claims<TClaims> {
  const verifier = createVerifier(options)
  const roles =
    options.roles === undefined || options.roles === false ? undefined : resolveRoleOptions(options.roles)
  const settingsOptions = options.settings ?? {}
  const preRequestCall = options.preRequest === undefined ? undefined : functionCall(options.preRequest)
  if (options.roleSettings !== undefined && roles === undefined) {
    throw new PgClaimsError(
      'CONFIG_INVALID',
      'roleSettings needs roles: without role switching there is no role to read settings for',
    )
  }
  const roleSettings =
    options.roleSettings === undefined ? undefined : new RoleSettingsCache(options.roleSettings)
  const cache = createTokenCache<ClaimsContext<TClaims>>(options.cache, verifier.timeChecks)
  const build = (payload: Readonly<JWTPayload> | null, typed: TClaims | null) =>
    buildContext(payload, typed, roles, settingsOptions, preRequestCall)
  const anonymous = roles?.default === undefined ? undefined : build(null, null)

  return {
    async resolve(token) {
      if (token === null) {
        if (anonymous === undefined) {
          throw new PgClaimsError(
            'TOKEN_MISSING',
            'A token is required: anonymous access is off (set roles.default to allow it)',
          )
        }
        return anonymous
      }
      const now = Math.floor(Date.now() / 1000)
      const cached = cache?.get(token, now)
      if (cached !== undefined) return cached
      const { payload, claims } = await verifier.verify(token)
      const context = build(payload, claims)
      cache?.set(token, context, payload, now)
      return context
    },
    resolveVerified(claims) {
      if (claims === null || typeof claims !== 'object' || Array.isArray(claims)) {
        throw new PgClaimsError('CLAIM_INVALID', 'resolveVerified takes a claims object')
      }
      assertStorableJson(claims) // before the copy, which would turn class instances into plain objects
      let copy: TClaims
      try {
        copy = structuredClone(claims) // a copy, so freezing it leaves the caller's object alone
      } catch (error) {
        throw new PgClaimsError('VALUE_NOT_STORABLE', 'The claims could not be copied (a Proxy?)', {
          cause: error,
        })
      }
      return build(copy as Readonly<JWTPayload>, copy) // serialization checks the copy is storable JSON
    },
    async forCall(context, call) {
      const forRole =
        roleSettings === undefined || context.role === null ? [] : await roleSettings.forRole(context.role)
      return contextForCall(context, forRole, call)
    },
  }
}

function buildContext<TClaims>(
  payload: Readonly<JWTPayload> | null,
  claims: TClaims | null,
  roles: ResolvedRoleOptions | undefined,
  settingsOptions: SettingsOptions<TClaims>,
  preRequestCall: string | undefined,
): ClaimsContext<TClaims> {
  const role = roles === undefined ? null : roleForClaims(payload, roles)
  const settings = serializeSettings(payload, role, settingsOptions, claims)
  return Object.freeze({
    claims: deepFreeze(claims),
    payload: deepFreeze(payload),
    role,
    settings: Object.freeze(settings),
    settingsSql: setConfigSql(settings, preRequestCall),
    preRequestCall,
  })
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value)
    for (const child of Object.values(value)) deepFreeze(child)
  }
  return value
}
