import { setConfigSql } from '../sql/set-config.js'
import { isBuiltInSetting } from './built-in-settings.js'
import type { ClaimsContext } from './context.js'
import { type RequestContext, requestSettings } from './request-context.js'
import { checkedSettings, ROLE_SETTING, type Setting } from './settings.js'

/**
 * What one call adds to its caller's settings, as every adapter's `withClaims(token, options)`
 * takes it.
 *
 * @example
 * ```ts
 * await db
 *   .withClaims(token, {
 *     request: requestContext.fromRequest(request, { headers: ['x-client-version'] }),
 *     settings: { statement_timeout: '2s' },
 *   })
 *   .query('select * from notes')
 * ```
 */
export interface CallOptions {
  /** The HTTP request served: `request.method`, `request.path`, `request.headers`, `request.cookies`. */
  readonly request?: RequestContext
  /**
   * More settings for this call: dotted custom names, or `statement_timeout`, `lock_timeout`,
   * `idle_in_transaction_session_timeout`, `search_path`, `application_name`. They win over the
   * role's settings and `settings.extra`; anything else is `SETTING_INVALID`.
   */
  readonly settings?: Readonly<Record<string, string>>
}

const withRoleSettings = new WeakMap<ClaimsContext<unknown>, { from: readonly Setting[]; context: unknown }>()

/**
 * The context one call runs with: `base` (cached per token), with the role's settings right after
 * `role`, then the request context and the call's settings at the end; where a name comes twice,
 * the later one is kept (a call's `statement_timeout` over the role's). `base` itself when there is
 * nothing to add. Pure, but for a cache of the role-settings-only case.
 *
 * @example
 * ```ts
 * const context = contextForCall(await claims.resolve(token), [['statement_timeout', '8s']], { request })
 * ```
 */
export function contextForCall<TClaims>(
  base: ClaimsContext<TClaims>,
  roleSettings: readonly Setting[],
  call: CallOptions | undefined,
): ClaimsContext<TClaims> {
  const request = call?.request
  const callSettings = call?.settings
  if (request === undefined && callSettings === undefined) {
    if (roleSettings.length === 0) return base
    const cached = withRoleSettings.get(base)
    if (cached?.from === roleSettings) return cached.context as ClaimsContext<TClaims>
    const context = derived(base, roleSettings, [])
    withRoleSettings.set(base, { from: roleSettings, context })
    return context
  }
  const added: Setting[] = request === undefined ? [] : requestSettings(request)
  if (callSettings !== undefined) {
    // built-in names may be set again: a call's statement_timeout wins over settings.extra's
    const written = [...base.settings.filter(([name]) => !isBuiltInSetting(name)), ...added]
    added.push(...checkedSettings('the call', callSettings, written))
  }
  return derived(base, roleSettings, added)
}

function derived<TClaims>(
  base: ClaimsContext<TClaims>,
  roleSettings: readonly Setting[],
  added: readonly Setting[],
): ClaimsContext<TClaims> {
  const [first, ...rest] = base.settings
  const ordered =
    first !== undefined && first[0] === ROLE_SETTING
      ? [first, ...roleSettings, ...rest, ...added]
      : [...base.settings, ...added]
  const settings = lastOfEachName(ordered)
  return Object.freeze({
    ...base,
    settings: Object.freeze(settings),
    settingsSql: setConfigSql(settings, base.preRequestCall),
  })
}

/** `settings` without the earlier ones of a name set again later (names compare in any case). */
function lastOfEachName(settings: readonly Setting[]): Setting[] {
  const last = new Map<string, number>()
  settings.forEach(([name], index) => {
    last.set(name.toLowerCase(), index)
  })
  return settings.filter(([name], index) => last.get(name.toLowerCase()) === index)
}
