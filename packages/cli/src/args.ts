import { type ParseArgsConfig, parseArgs } from 'node:util'
import { messageOf, UsageError } from './errors.js'

/**
 * The options of one command, as `node:util` `parseArgs` takes them.
 *
 * @example
 * ```ts
 * const options = { schema: { type: 'string' } } as const satisfies OptionsConfig
 * ```
 */
export type OptionsConfig = NonNullable<ParseArgsConfig['options']>

/**
 * What {@link parseCommand} returns for the options `T`: typed `values` and the `positionals`.
 *
 * @example
 * ```ts
 * type SqlArgs = ParsedCommand<{ schema: { type: 'string' } }> // { values: { schema?: string }, positionals: string[] }
 * ```
 */
export type ParsedCommand<T extends OptionsConfig> = ReturnType<
  typeof parseArgs<{ args: string[]; options: T; allowPositionals: true; strict: true }>
>

/**
 * The `--help`/`-h` option every command takes.
 *
 * @example
 * ```ts
 * const options = { schema: { type: 'string' }, ...helpOption } as const
 * ```
 */
export const helpOption = { help: { type: 'boolean', short: 'h' } } as const

/**
 * Parses one command's arguments strictly (`node:util` `parseArgs`): an unknown option, a missing
 * value or a value given to a flag is a {@link UsageError} naming the command.
 *
 * @example
 * ```ts
 * const { values, positionals } = parseCommand('sql', ['--schema', 'claims'], {
 *   schema: { type: 'string' },
 *   ...helpOption,
 * })
 * values.schema // 'claims'
 * ```
 */
export function parseCommand<const T extends OptionsConfig>(
  command: string,
  args: readonly string[],
  options: T,
): ParsedCommand<T> {
  try {
    return parseArgs({ args: [...args], options, allowPositionals: true, strict: true })
  } catch (error) {
    throw new UsageError(messageOf(error), command)
  }
}

/**
 * Checks the number of positional arguments.
 *
 * @example
 * ```ts
 * const [token] = expectPositionals('explain', positionals, ['token'])
 * ```
 */
export function expectPositionals(
  command: string,
  positionals: readonly string[],
  names: readonly string[],
): string[] {
  if (positionals.length < names.length) {
    throw new UsageError(`${command} needs ${names.slice(positionals.length).join(' and ')}`, command)
  }
  if (positionals.length > names.length) {
    const extra = positionals.slice(names.length).map((value) => JSON.stringify(value))
    throw new UsageError(`unexpected argument ${extra.join(' ')}`, command)
  }
  return [...positionals]
}

/**
 * Reads a number of seconds, 0 or more.
 *
 * @example
 * ```ts
 * secondsOption('explain', '--clock-tolerance', '30') // 30
 * ```
 */
export function secondsOption(command: string, name: string, text: string): number {
  const value = Number(text)
  if (text.trim() === '' || !Number.isFinite(value) || value < 0) {
    throw new UsageError(
      `${name} must be a number of seconds, 0 or more; got ${JSON.stringify(text)}`,
      command,
    )
  }
  return value
}

/**
 * Splits a comma-separated list, trimming each item and dropping empty ones.
 *
 * @example
 * ```ts
 * listOption('anon, authenticated') // ['anon', 'authenticated']
 * ```
 */
export function listOption(text: string): string[] {
  return text
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item.length > 0)
}

/**
 * A repeatable option as one value or a list, as jose's `audience`/`issuer` take it; `undefined`
 * when it was not given.
 *
 * @example
 * ```ts
 * oneOrMany(['api']) // 'api'
 * oneOrMany(['api', 'admin']) // ['api', 'admin']
 * ```
 */
export function oneOrMany(values: readonly string[] | undefined): string | string[] | undefined {
  if (values === undefined || values.length === 0) return undefined
  return values.length === 1 ? values[0] : [...values]
}
