import { PgClaimsError } from '../errors.js'

/** The largest `clockTolerance` accepted: one day. More would keep expired tokens alive for days. */
const MAX_CLOCK_TOLERANCE_SECONDS = 86_400

/**
 * Checks an option that counts something (`maxTokenSize`, `cache.maxEntries`): a positive integer,
 * or `fallback` when left out. Anything else throws `CONFIG_INVALID`.
 *
 * @example
 * ```ts
 * positiveIntegerOption('maxTokenSize', undefined, 16_384) // 16384
 * positiveIntegerOption('maxTokenSize', Number.NaN, 16_384) // throws CONFIG_INVALID
 * ```
 */
export function positiveIntegerOption(name: string, value: unknown, fallback: number): number {
  if (value === undefined) return fallback
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value <= 0) {
    throw new PgClaimsError('CONFIG_INVALID', `${name} must be a positive integer; got ${String(value)}`)
  }
  return value
}

/**
 * Checks a duration in seconds (`clockTolerance`, `cache.ttlSeconds`): a finite number from
 * `min` to `max`, or `fallback` when left out. Anything else throws `CONFIG_INVALID`.
 *
 * @example
 * ```ts
 * secondsOption('clockTolerance', 30, { fallback: 30, min: 0, max: 86_400 }) // 30
 * secondsOption('clockTolerance', Infinity, { fallback: 30, min: 0, max: 86_400 }) // throws
 * ```
 */
export function secondsOption(
  name: string,
  value: unknown,
  range: { readonly fallback: number; readonly min: number; readonly max: number },
): number {
  if (value === undefined) return range.fallback
  if (typeof value !== 'number' || !(value >= range.min && value <= range.max)) {
    throw new PgClaimsError(
      'CONFIG_INVALID',
      `${name} must be a number of seconds from ${range.min} to ${range.max}; got ${String(value)}`,
    )
  }
  return value
}

/**
 * Checks `clockTolerance`: 0 to one day, in seconds; default 30 (as PostgREST).
 *
 * @example
 * ```ts
 * clockToleranceOption(undefined) // 30
 * ```
 */
export function clockToleranceOption(value: unknown): number {
  return secondsOption('clockTolerance', value, { fallback: 30, min: 0, max: MAX_CLOCK_TOLERANCE_SECONDS })
}
