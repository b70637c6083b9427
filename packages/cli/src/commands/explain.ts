import { readFile } from 'node:fs/promises'
import {
  type CallOptions,
  type ClaimsOptions,
  createClaims,
  isPgClaimsError,
  type KeyOptions,
  type RoleOptions,
  type SkippedClaimReason,
} from '@pg-claims/core'
import { decodeProtectedHeader, type JSONWebKeySet, type JWK } from 'jose'
import pg from 'pg'
import {
  expectPositionals,
  helpOption,
  listOption,
  oneOrMany,
  type ParsedCommand,
  parseCommand,
  secondsOption,
} from '../args.js'
import type { Command } from '../command.js'
import { messageOf, UsageError } from '../errors.js'
import { EXIT_CODES, EXIT_CODES_HELP } from '../exit-codes.js'
import type { CliIo } from '../io.js'
import { type Explanation, explanationJson, formatExplanation, refusalJson } from '../output.js'

const options = {
  secret: { type: 'string' },
  'public-key-file': { type: 'string' },
  'jwks-url': { type: 'string' },
  audience: { type: 'string', multiple: true },
  issuer: { type: 'string', multiple: true },
  'role-claim': { type: 'string' },
  'default-role': { type: 'string' },
  'allowed-roles': { type: 'string' },
  'clock-tolerance': { type: 'string' },
  'pre-request': { type: 'string' },
  method: { type: 'string' },
  path: { type: 'string' },
  header: { type: 'string', multiple: true },
  cookie: { type: 'string', multiple: true },
  setting: { type: 'string', multiple: true },
  'database-url': { type: 'string' },
  json: { type: 'boolean' },
  ...helpOption,
} as const

type Values = ParsedCommand<typeof options>['values']

/**
 * `pg-claims explain <token> --secret S …`: verifies a token as `createClaims(options).resolve`
 * does and shows the claims, the role and the exact settings a transaction would get.
 *
 * @example
 * ```ts
 * const code = await explainCommand.run([token, '--secret', secret, '--allowed-roles', 'anon,authenticated'], io)
 * // code 0: io.stdout holds the explanation; code 1: io.stderr holds "error TOKEN_EXPIRED: …"
 * ```
 */
export const explainCommand: Command = {
  name: 'explain',
  summary: 'verify a token and show its claims, role and the settings it becomes',
  help: `Usage: pg-claims explain <token> (--secret <secret> | --public-key-file <file> | --jwks-url <url>)
                         [--audience <aud>]… [--issuer <iss>]… [--role-claim <path>]
                         [--default-role <role>] [--allowed-roles <r1,r2>]
                         [--clock-tolerance <seconds>] [--pre-request <schema.fn>]
                         [--method <m>] [--path <p>] [--header 'name: value']…
                         [--cookie name=value]… [--setting name=value]…
                         [--database-url <url>] [--json]

Verifies the token exactly as your server would, through createClaims(options).resolve(token),
and prints the verified claims, the role the transaction switches to, every transaction-local
setting in the order it is applied (role, the role's settings, request.jwt.claims,
jwt.claims.<name>, the request context, the call's settings), the claims left out of
jwt.claims.* and why, and the SQL sent with BEGIN (with the pre-request call). A refused token prints
"error CODE: message" (the codes of the README's errors table) and exits with 1.

Key (exactly one):
  --secret <secret>         HS256/384/512 shared secret (default: the JWT_SECRET environment variable)
  --public-key-file <file>  a public key for RS/PS/ES/EdDSA: PEM (SPKI or certificate), a JWK
                            (JSON), or a JWK Set (JSON with "keys")
  --jwks-url <url>          a remote JWK Set (https, or http on loopback)

Options:
  --audience <aud>          accepted "aud"; repeat for several
  --issuer <iss>            accepted "iss"; repeat for several
  --role-claim <path>       where the role is: a claim name or a dotted path (default: role)
  --default-role <role>     the role when the token has no role claim
  --allowed-roles <list>    comma-separated roles a token may switch to; without it role
                            switching is off and the role is left unchanged
  --clock-tolerance <secs>  leeway for exp and nbf, in seconds (default: 30)

PostgREST parity (see the README):
  --pre-request <schema.fn> the preRequest function, called after the settings
  --method, --path          request.method and request.path of a call
  --header 'name: value'    a header in request.headers; repeat for several
  --cookie name=value       a cookie in request.cookies; repeat for several
  --setting name=value      a setting of the call (statement_timeout=2s …); repeat for several
  --database-url <url>      read the role's settings (ALTER ROLE … SET) from this database, as
                            the roleSettings option does
  --json                    print one JSON document (also for a refused token) instead of text
  -h, --help                show this help

Example:
  pg-claims explain "$TOKEN" --secret "$JWT_SECRET" --audience api \\
    --allowed-roles anon,authenticated --default-role anon

${EXIT_CODES_HELP}`,
  async run(args, io) {
    const { values, positionals } = parseCommand('explain', args, options)
    if (values.help) {
      io.stdout.write(this.help)
      return EXIT_CODES.OK
    }
    const [token = ''] = expectPositionals('explain', positionals, ['<token>'])
    const skippedClaims: { name: string; reason: SkippedClaimReason }[] = []
    const skippedRoleSettings: { name: string; reason: string }[] = []
    const databaseUrl = values['database-url']
    const source =
      databaseUrl === undefined ? undefined : new pg.Pool({ connectionString: databaseUrl, max: 1 })
    const claimsOptions: ClaimsOptions = {
      ...(await keyOptions(values, io)),
      ...verifyOptions(values),
      cache: false,
      settings: { onSkippedClaim: (name, reason) => skippedClaims.push({ name, reason }) },
      ...(values['pre-request'] !== undefined && { preRequest: values['pre-request'] }),
      ...(source !== undefined && {
        roleSettings: {
          source,
          onSkipped: (_role, name, reason) => skippedRoleSettings.push({ name, reason }),
        },
      }),
    }
    let explanation: Explanation
    try {
      const roles = roleOptions(values)
      const claims = createClaims(roles === undefined ? claimsOptions : { ...claimsOptions, roles })
      const context = await claims.forCall(await claims.resolve(token), callOptions(values))
      explanation = {
        algorithm: decodeProtectedHeader(token).alg,
        role: context.role,
        claims: context.payload,
        settings: context.settings,
        skippedClaims,
        ...(source !== undefined && { skippedRoleSettings }),
        sql: context.settingsSql,
      }
    } catch (error) {
      if (values.json && isPgClaimsError(error)) io.stdout.write(refusalJson(error))
      throw error
    } finally {
      await source?.end()
    }
    io.stdout.write(values.json ? explanationJson(explanation) : formatExplanation(explanation))
    return EXIT_CODES.OK
  },
}

async function keyOptions(values: Values, io: CliIo): Promise<KeyOptions> {
  const given = [
    values.secret !== undefined && '--secret',
    values['public-key-file'] !== undefined && '--public-key-file',
    values['jwks-url'] !== undefined && '--jwks-url',
  ].filter((name) => name !== false)
  if (given.length > 1) throw new UsageError(`give one key, not ${given.join(' and ')}`, 'explain')
  if (values['public-key-file'] !== undefined) return publicKeyFile(values['public-key-file'])
  if (values['jwks-url'] !== undefined) return { jwksUrl: values['jwks-url'] }
  const secret = values.secret ?? io.env.JWT_SECRET
  if (secret === undefined || secret === '') {
    throw new UsageError(
      'explain needs a key: --secret <secret>, --public-key-file <file> or --jwks-url <url> (or set JWT_SECRET)',
      'explain',
    )
  }
  return { secret }
}

async function publicKeyFile(path: string): Promise<KeyOptions> {
  let text: string
  try {
    text = await readFile(path, 'utf8')
  } catch (error) {
    throw new UsageError(`cannot read --public-key-file ${path}: ${messageOf(error)}`, 'explain')
  }
  if (!text.trimStart().startsWith('{')) return { publicKey: text }
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch (error) {
    throw new UsageError(`--public-key-file ${path} is neither PEM nor JSON: ${messageOf(error)}`, 'explain')
  }
  if (typeof parsed === 'object' && parsed !== null && 'keys' in parsed)
    return { jwks: parsed as JSONWebKeySet }
  return { publicKey: parsed as JWK }
}

function verifyOptions(values: Values): Pick<ClaimsOptions, 'audience' | 'issuer' | 'clockTolerance'> {
  const audience = oneOrMany(values.audience)
  const issuer = oneOrMany(values.issuer)
  const tolerance = values['clock-tolerance']
  return {
    ...(audience !== undefined && { audience }),
    ...(issuer !== undefined && { issuer }),
    ...(tolerance !== undefined && {
      clockTolerance: secondsOption('explain', '--clock-tolerance', tolerance),
    }),
  }
}

function callOptions(values: Values): CallOptions {
  const pairs = (given: readonly string[] | undefined, separator: string, option: string) =>
    Object.fromEntries(
      (given ?? []).map((pair) => {
        const at = pair.indexOf(separator)
        if (at <= 0) throw new UsageError(`${option} takes name${separator}value; got "${pair}"`, 'explain')
        return [pair.slice(0, at).trim(), pair.slice(at + 1).trim()]
      }),
    )
  const headers = pairs(values.header, ':', '--header')
  const cookies = pairs(values.cookie, '=', '--cookie')
  const settings = pairs(values.setting, '=', '--setting')
  const asRequest =
    values.method !== undefined ||
    values.path !== undefined ||
    values.header !== undefined ||
    values.cookie !== undefined
  return {
    ...(asRequest && {
      request: {
        ...(values.method !== undefined && { method: values.method }),
        ...(values.path !== undefined && { path: values.path }),
        headers,
        cookies,
      },
    }),
    ...(values.setting !== undefined && { settings }),
  }
}

function roleOptions(values: Values): RoleOptions | undefined {
  const allowed = values['allowed-roles']
  if (allowed === undefined) {
    const needsAllowed = ['role-claim', 'default-role'].filter(
      (name) => values[name as keyof Values] !== undefined,
    )
    if (needsAllowed.length > 0) {
      throw new UsageError(
        `${needsAllowed.map((name) => `--${name}`).join(' and ')} need --allowed-roles`,
        'explain',
      )
    }
    return undefined
  }
  const list = listOption(allowed)
  if (list.length === 0) throw new UsageError('--allowed-roles needs at least one role', 'explain')
  const claim = values['role-claim']
  const defaultRole = values['default-role']
  return {
    allowed: list,
    ...(claim !== undefined && { claim }),
    ...(defaultRole !== undefined && { default: defaultRole }),
  }
}
