import { PgClaimsError } from '../errors.js'

const UNIT_SECONDS: Readonly<Record<string, number>> = {
  s: 1,
  sec: 1,
  secs: 1,
  second: 1,
  seconds: 1,
  m: 60,
  min: 60,
  mins: 60,
  minute: 60,
  minutes: 60,
  h: 3600,
  hr: 3600,
  hrs: 3600,
  hour: 3600,
  hours: 3600,
  d: 86_400,
  day: 86_400,
  days: 86_400,
  w: 604_800,
  week: 604_800,
  weeks: 604_800,
}

/**
 * Seconds in a time span given as a number of seconds or as jose's text form (`'90s'`, `'2h'`,
 * `'7 days'`), so the cache can re-check `maxTokenAge` the way jose checked it.
 *
 * @example
 * ```ts
 * timeSpanSeconds('2h') // 7200
 * timeSpanSeconds(45) // 45
 * ```
 */
export function timeSpanSeconds(span: number | string): number {
  if (typeof span === 'number') return checked(span, span)
  if (typeof span !== 'string') {
    throw new PgClaimsError(
      'CONFIG_INVALID',
      `maxTokenAge must be seconds or a time span like "2h"; got a ${typeof span}`,
    )
  }
  const match = /^(\d+|\d+\.\d+) ?([a-z]+)$/i.exec(span.trim())
  const unit = match ? UNIT_SECONDS[match[2]!.toLowerCase()] : undefined
  if (!match || unit === undefined) {
    throw new PgClaimsError(
      'CONFIG_INVALID',
      `maxTokenAge "${span}" is not a time span like "90s", "15m" or "2h"`,
    )
  }
  return checked(Number(match[1]) * unit, span)
}

function checked(seconds: number, given: number | string): number {
  if (!Number.isFinite(seconds) || seconds <= 0) {
    throw new PgClaimsError(
      'CONFIG_INVALID',
      `maxTokenAge must be a positive time span; got ${String(given)}`,
    )
  }
  return seconds
}
