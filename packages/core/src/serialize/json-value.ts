import { PgClaimsError } from '../errors.js'
import { assertStorableText } from '../sql/literal.js'

/**
 * Deepest nesting of objects and arrays a claims set may have; deeper is `VALUE_NOT_STORABLE`.
 *
 * @example
 * ```ts
 * MAX_CLAIMS_DEPTH // 64
 * ```
 */
export const MAX_CLAIMS_DEPTH = 64

/**
 * Checks that `value` is plain JSON that PostgreSQL can store unchanged, walking it without
 * recursion: strings (keys too) without NUL or lone surrogates, finite numbers (integers only up to
 * `Number.MAX_SAFE_INTEGER`), booleans, null,
 * arrays and plain objects, nested at most {@link MAX_CLAIMS_DEPTH} deep. Anything that
 * `JSON.stringify` would drop or change throws instead, naming its path (`claims.org.created`):
 * undefined, functions, NaN, bigint, Dates, Maps, class instances, sparse arrays and arrays with
 * named properties, symbol keys, getters, non-enumerable properties. `-0` is stored as `0`.
 *
 * @example
 * ```ts
 * assertStorableJson({ sub: 'u1', tags: ['a'] }) // returns
 * assertStorableJson({ n: Number.NaN }) // throws PgClaimsError VALUE_NOT_STORABLE
 * ```
 */
export function assertStorableJson(value: unknown): void {
  const stack: Array<{ value: unknown; path: string; depth: number }> = [{ value, path: 'claims', depth: 0 }]
  while (stack.length > 0) {
    const item = stack.pop()!
    const current = item.value
    if (current === null || typeof current === 'boolean') continue
    if (typeof current === 'string') {
      assertStorableText(current, item.path)
      continue
    }
    if (typeof current === 'number') {
      if (!Number.isFinite(current)) notJson(item.path, String(current))
      if (Number.isInteger(current) && !Number.isSafeInteger(current)) {
        throw new PgClaimsError(
          'VALUE_NOT_STORABLE',
          `${item.path} is the integer ${current}, past Number.MAX_SAFE_INTEGER: it may already have been rounded (send it as a string)`,
        )
      }
      continue
    }
    if (typeof current !== 'object') notJson(item.path, typeof current)
    if (item.depth >= MAX_CLAIMS_DEPTH) {
      throw new PgClaimsError(
        'VALUE_NOT_STORABLE',
        `${item.path} nests deeper than ${MAX_CLAIMS_DEPTH} levels`,
      )
    }
    if (Array.isArray(current)) {
      if (Object.getPrototypeOf(current) !== Array.prototype) notJson(item.path, 'an array subclass')
      for (let index = 0; index < current.length; index++) {
        const path = `${item.path}[${index}]`
        if (!Object.hasOwn(current, index)) notJson(path, 'a hole in a sparse array')
        stack.push({ value: current[index], path, depth: item.depth + 1 })
      }
      const named = Object.keys(current).length === current.length ? undefined : namedKey(current)
      if (named !== undefined)
        notJson(`${item.path}.${named}`, 'a named property of an array, which JSON drops')
      continue
    }
    const proto = Object.getPrototypeOf(current)
    if (proto !== Object.prototype && proto !== null) notJson(item.path, 'an object that is not plain JSON')
    for (const key of Reflect.ownKeys(current)) {
      if (typeof key === 'symbol') notJson(item.path, `an object with the symbol key ${String(key)}`)
      const path = `${item.path}.${key}`
      const property = Object.getOwnPropertyDescriptor(current, key)!
      if (!property.enumerable) notJson(path, 'a non-enumerable property, which JSON drops')
      if (!('value' in property)) notJson(path, 'a getter or setter')
      assertStorableText(key, `the name of ${path}`)
      stack.push({ value: property.value, path, depth: item.depth + 1 })
    }
  }
}

function namedKey(array: readonly unknown[]): string | undefined {
  return Object.keys(array).find((key) => !/^(0|[1-9]\d*)$/.test(key))
}

function notJson(path: string, what: string): never {
  throw new PgClaimsError(
    'VALUE_NOT_STORABLE',
    `${path} is ${what}, which is not a JSON value and would be changed on the way to PostgreSQL`,
  )
}
