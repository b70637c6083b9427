import { PgClaimsError } from '../errors.js'

const NUMBER = /-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/y
const STRING_OR_NUMBER = /"(?:[^"\\]|\\.)*"|-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?/g
const SHORT_INTEGER = /^-?\d{1,15}$/
const DECIMAL = /^(-?)(\d+)(?:\.(\d+))?(?:[eE]([+-]?\d+))?$/

type Frame = { kind: 'object'; key: string; expectKey: boolean } | { kind: 'array'; index: number }

/**
 * Throws `VALUE_NOT_STORABLE` when a number in `json` (the claims set as the token carries it)
 * would be changed by `JSON.parse`: an integer past `Number.MAX_SAFE_INTEGER` (`9007199254740993`
 * reads as `…992`), or any number whose double no longer has the decimal value written (`1e23`,
 * `0.1000000000000000000001`). Such a number would reach PostgreSQL as another value. The message
 * names the claim's path.
 *
 * @example
 * ```ts
 * assertExactNumbers('{"n":1.5}') // returns
 * assertExactNumbers('{"n":9007199254740993}') // throws VALUE_NOT_STORABLE: claims.n …
 * ```
 */
export function assertExactNumbers(json: string): void {
  for (const [token] of json.matchAll(STRING_OR_NUMBER)) {
    if (token[0] !== '"' && !holdsExactly(token)) {
      throw new PgClaimsError(
        'VALUE_NOT_STORABLE',
        `${pathOfInexactNumber(json)} is the number ${token.length > 40 ? `${token.slice(0, 40)}…` : token}, which JavaScript cannot hold exactly; it would reach PostgreSQL changed (send it as a string)`,
      )
    }
  }
}

/** The path (`claims.org.id`) of the first number in `json` that does not hold exactly. */
function pathOfInexactNumber(json: string): string {
  const frames: Frame[] = []
  let i = 0
  while (i < json.length) {
    const char = json[i]!
    const top = frames.at(-1)
    if (char === '"') {
      const end = stringEnd(json, i)
      if (top?.kind === 'object' && top.expectKey) top.key = JSON.parse(json.slice(i, end)) as string
      i = end
      continue
    }
    if (char === '-' || (char >= '0' && char <= '9')) {
      NUMBER.lastIndex = i
      const text = NUMBER.exec(json)?.[0] ?? char
      if (!holdsExactly(text)) break
      i += text.length
      continue
    }
    if (char === '{') frames.push({ kind: 'object', key: '', expectKey: true })
    else if (char === '[') frames.push({ kind: 'array', index: 0 })
    else if (char === '}' || char === ']') frames.pop()
    else if (char === ':' && top?.kind === 'object') top.expectKey = false
    else if (char === ',' && top !== undefined) {
      if (top.kind === 'array') top.index += 1
      else top.expectKey = true
    }
    i += 1
  }
  return `claims${frames.map((frame) => (frame.kind === 'object' ? `.${frame.key}` : `[${frame.index}]`)).join('')}`
}

/**
 * Whether a JSON number's text survives `JSON.parse` with its decimal value unchanged, as an
 * integer no larger than `Number.MAX_SAFE_INTEGER` or as a double whose shortest form has the same
 * decimal value.
 *
 * @example
 * ```ts
 * holdsExactly('2.50') // true
 * holdsExactly('9007199254740993') // false
 * ```
 */
function holdsExactly(text: string): boolean {
  if (SHORT_INTEGER.test(text)) return true // at most 15 digits: always a safe integer
  const value = Number(text)
  if (!Number.isFinite(value) || (Number.isInteger(value) && !Number.isSafeInteger(value))) return false
  return canonicalDecimal(text) === canonicalDecimal(String(value))
}

/** `-123e-2` for `-1.23`: sign, significant digits, exponent; every zero is `0`. */
function canonicalDecimal(text: string): string | undefined {
  const match = DECIMAL.exec(text)
  if (match === null) return undefined
  const [, sign, whole, fraction = '', exponent = '0'] = match
  const digits = `${whole}${fraction}`.replace(/^0+/, '')
  if (digits === '') return '0'
  const significant = digits.replace(/0+$/, '')
  const scale = Number(exponent) - fraction.length + (digits.length - significant.length)
  return `${sign}${significant}e${scale}`
}

function stringEnd(json: string, start: number): number {
  let i = start + 1
  while (i < json.length && json[i] !== '"') i += json[i] === '\\' ? 2 : 1
  return i + 1
}
