import type { Setting } from '../serialize/settings.js'
import { isCustomSettingName } from '../sql/setting-names.js'

/**
 * Where per-role settings are read from: a `pg` Pool or Client, or anything with its
 * `query(text)` (for Prisma: `{ query: async (text) => ({ rows: await prisma.$queryRawUnsafe(text) }) }`).
 *
 * @example
 * ```ts
 * const source: RoleSettingsSource = new pg.Pool({ connectionString })
 * ```
 */
export interface RoleSettingsSource {
  query(text: string): Promise<{ readonly rows: readonly unknown[] }>
}

/**
 * Why a per-role setting is not applied:
 * - `not-user-settable`: its context is not `user` (`superuser`, `backend`, …): a transaction
 *   running as the role could not set it;
 * - `unknown`: not a setting this server knows, and not a dotted custom name;
 * - `written-by-pg-claims`: `role`, `session_authorization`, `request.*` or `jwt.claims.*`.
 *
 * @example
 * ```ts
 * const onSkipped = (role: string, name: string, reason: SkippedRoleSettingReason) => log.warn({ role, name, reason })
 * ```
 */
export type SkippedRoleSettingReason = 'not-user-settable' | 'unknown' | 'written-by-pg-claims'

/**
 * The `roleSettings` option: apply the settings of the role a transaction switches to
 * (`ALTER ROLE authenticated SET statement_timeout = '8s'`), as PostgREST does, since `SET ROLE`
 * does not apply them.
 *
 * @example
 * ```ts
 * const roleSettings: RoleSettingsOptions = { source: pool, refreshMs: 60_000 }
 * ```
 */
export interface RoleSettingsOptions {
  /** Where to read `pg_db_role_setting` from (once, then every `refreshMs` in the background). */
  readonly source: RoleSettingsSource
  /** How long a read is used before it is read again, in the background. Default 60 000 ms. */
  readonly refreshMs?: number
  /** Told once of each setting of a role in use that is left out. Default: `console.warn`. */
  readonly onSkipped?: (role: string, name: string, reason: SkippedRoleSettingReason) => void
}

/**
 * The settings of every role, for this database and for all databases (`ALTER ROLE r IN DATABASE d
 * SET` wins over `ALTER ROLE r SET`), with each setting's context from `pg_settings`.
 *
 * @example
 * ```ts
 * const { rows } = await pool.query(ROLE_SETTINGS_SQL) // [{ role, in_database, name, value, context }, …]
 * ```
 */
export const ROLE_SETTINGS_SQL = `select r.rolname as role, s.setdatabase <> 0 as in_database,
  pg_catalog.split_part(c.setting, '=', 1) as name,
  pg_catalog.substr(c.setting, pg_catalog.strpos(c.setting, '=') + 1) as value,
  (select p.context from pg_catalog.pg_settings p
    where p.name = pg_catalog.lower(pg_catalog.split_part(c.setting, '=', 1))) as context
from pg_catalog.pg_db_role_setting s
join pg_catalog.pg_roles r on r.oid = s.setrole
cross join lateral pg_catalog.unnest(s.setconfig) as c(setting)
where s.setdatabase in (0, (select d.oid from pg_catalog.pg_database d where d.datname = pg_catalog.current_database()))
order by in_database, r.rolname`

interface RoleEntry {
  readonly settings: readonly Setting[]
  readonly skipped: ReadonlyArray<readonly [name: string, reason: SkippedRoleSettingReason]>
}

interface Snapshot {
  readonly roles: ReadonlyMap<string, RoleEntry>
  readonly readAt: number
}

const NONE: RoleEntry = { settings: [], skipped: [] }

/**
 * The per-role settings, read lazily: the first claims transaction waits for the first read (after
 * its token is verified, before its connection is taken); later ones use what was read, and once
 * it is `refreshMs` old a new read starts in the background (a failed one is retried at the next
 * transaction, the old read kept meanwhile). A failed FIRST read rejects that transaction.
 *
 * @example
 * ```ts
 * const cache = new RoleSettingsCache({ source: pool })
 * await cache.forRole('authenticated') // [['statement_timeout', '8s']]
 * ```
 */
export class RoleSettingsCache {
  readonly #options: RoleSettingsOptions
  readonly #refreshMs: number
  readonly #reported = new Set<string>()
  #snapshot: Snapshot | undefined
  #reading: Promise<Snapshot> | undefined

  constructor(options: RoleSettingsOptions) {
    this.#options = options
    this.#refreshMs = options.refreshMs ?? 60_000
  }

  /**
   * The settings `role` gets, in the order to apply them; reports skipped ones once.
   *
   * @example
   * ```ts
   * const settings = await cache.forRole(context.role)
   * ```
   */
  async forRole(role: string): Promise<readonly Setting[]> {
    const snapshot = this.#snapshot ?? (await this.#read())
    if (Date.now() - snapshot.readAt >= this.#refreshMs) this.#read().catch(() => undefined)
    const entry = snapshot.roles.get(role) ?? NONE
    for (const [name, reason] of entry.skipped) this.#report(role, name, reason)
    return entry.settings
  }

  #read(): Promise<Snapshot> {
    this.#reading ??= this.#options.source
      .query(ROLE_SETTINGS_SQL)
      .then(({ rows }) => {
        this.#snapshot = { roles: rolesOf(rows), readAt: Date.now() }
        return this.#snapshot
      })
      .finally(() => {
        this.#reading = undefined
      })
    return this.#reading
  }

  #report(role: string, name: string, reason: SkippedRoleSettingReason): void {
    const key = JSON.stringify([role, name, reason])
    if (this.#reported.has(key)) return
    this.#reported.add(key)
    if (this.#options.onSkipped !== undefined) this.#options.onSkipped(role, name, reason)
    else console.warn(`pg-claims: the setting ${name} of role ${role} is not applied (${reason})`)
  }
}

interface Row {
  readonly role: string
  readonly name: string
  readonly value: string
  readonly context: string | null
}

function rolesOf(rows: readonly unknown[]): Map<string, RoleEntry> {
  const byRole = new Map<string, Map<string, Setting | SkippedRoleSettingReason>>()
  for (const row of rows as readonly Row[]) {
    const settings = byRole.get(row.role) ?? new Map<string, Setting | SkippedRoleSettingReason>()
    byRole.set(row.role, settings)
    const reason = skipReason(row.name, row.context)
    // rows for this database come last: they replace the ones for all databases
    settings.set(row.name.toLowerCase(), reason ?? [row.name, row.value])
  }
  const roles = new Map<string, RoleEntry>()
  for (const [role, settings] of byRole) {
    const applied: Setting[] = []
    const skipped: Array<readonly [string, SkippedRoleSettingReason]> = []
    for (const [name, entry] of settings) {
      if (typeof entry === 'string') skipped.push([name, entry])
      else applied.push(entry)
    }
    roles.set(role, { settings: applied, skipped })
  }
  return roles
}

function skipReason(name: string, context: string | null): SkippedRoleSettingReason | undefined {
  const lower = name.toLowerCase()
  if (
    lower === 'role' ||
    lower === 'session_authorization' ||
    lower.startsWith('request.') ||
    lower.startsWith('jwt.claims.')
  ) {
    return 'written-by-pg-claims'
  }
  if (context === null) return isCustomSettingName(name) ? undefined : 'unknown'
  return context === 'user' ? undefined : 'not-user-settable'
}
