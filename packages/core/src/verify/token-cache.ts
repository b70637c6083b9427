import { LRUCache } from 'lru-cache'
import { positiveIntegerOption, secondsOption } from './number-options.js'

/**
 * Options of the cache of verified tokens, or `false` to verify every time.
 *
 * @example
 * ```ts
 * const cache: TokenCacheOptions = { maxEntries: 10_000, ttlSeconds: 60 }
 * ```
 */
export type TokenCacheOptions =
  | false
  | {
      /** Most tokens kept. Default 1000. */
      readonly maxEntries?: number
      /** Longest a verified token is kept, in seconds; never past its `exp`. Default 300. */
      readonly ttlSeconds?: number
    }

/** The time claims of a cached token, re-checked on every hit. */
export interface TimeClaims {
  readonly exp?: number | undefined
  readonly nbf?: number | undefined
  readonly iat?: number | undefined
}

/** A bounded, exact-token cache of verified results. */
export interface TokenCache<T> {
  get(token: string, nowSeconds: number): T | undefined
  set(token: string, value: T, times: TimeClaims, nowSeconds: number): void
}

interface Entry<T> {
  readonly value: T
  readonly times: TimeClaims
}

/**
 * Creates the verified-token cache. Keyed by the exact token string; a hit re-checks `exp`, `nbf`
 * and the maximum age (each with the clock tolerance), and no entry is kept past its `exp`.
 *
 * @example
 * ```ts
 * const cache = createTokenCache<string>({ maxEntries: 10 }, { clockTolerance: 30 })
 * ```
 */
export function createTokenCache<T>(
  options: TokenCacheOptions | undefined,
  checks: { readonly clockTolerance: number; readonly maxTokenAgeSeconds?: number | undefined },
): TokenCache<T> | undefined {
  if (options === false) return undefined
  const ttlSeconds = secondsOption('cache.ttlSeconds', options?.ttlSeconds, {
    fallback: 300,
    min: 0,
    max: Number.MAX_SAFE_INTEGER,
  })
  const max = positiveIntegerOption('cache.maxEntries', options?.maxEntries, 1000)
  const lru = new LRUCache<string, Entry<T>>({ max })
  const stillValid = (times: TimeClaims, now: number): boolean =>
    (times.exp === undefined || now < times.exp + checks.clockTolerance) &&
    (times.nbf === undefined || now >= times.nbf - checks.clockTolerance) &&
    (checks.maxTokenAgeSeconds === undefined ||
      (times.iat !== undefined && now - times.iat <= checks.maxTokenAgeSeconds + checks.clockTolerance))
  return {
    get(token, now) {
      const entry = lru.get(token)
      if (entry === undefined) return undefined
      if (stillValid(entry.times, now)) return entry.value
      lru.delete(token)
      return undefined
    },
    set(token, value, times, now) {
      const untilExp = times.exp === undefined ? Number.POSITIVE_INFINITY : times.exp - now
      const ttl = Math.min(ttlSeconds, untilExp)
      if (ttl <= 0) return
      lru.set(token, { value, times }, { ttl: Math.ceil(ttl * 1000) })
    },
  }
}
