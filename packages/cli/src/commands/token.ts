import { createClaims } from '@pg-claims/core'
import { assertStorableJson } from '@pg-claims/core/adapter'
import { type JWTPayload, SignJWT } from 'jose'
import { expectPositionals, helpOption, oneOrMany, parseCommand } from '../args.js'
import type { Command } from '../command.js'
import { messageOf, UsageError } from '../errors.js'
import { EXIT_CODES, EXIT_CODES_HELP } from '../exit-codes.js'

const HS_ALGORITHMS = ['HS256', 'HS384', 'HS512'] as const
type HsAlgorithm = (typeof HS_ALGORITHMS)[number]

const options = {
  secret: { type: 'string' },
  claims: { type: 'string' },
  alg: { type: 'string' },
  'expires-in': { type: 'string' },
  audience: { type: 'string', multiple: true },
  issuer: { type: 'string' },
  ...helpOption,
} as const

/**
 * `pg-claims token --secret S [--claims JSON] …`: mints an HS256/384/512 development token.
 *
 * @example
 * ```ts
 * await tokenCommand.run(['--secret', secret, '--claims', '{"sub":"u1","role":"authenticated"}'], io)
 * // io.stdout: "eyJhbGciOiJIUzI1NiIs…\n"
 * ```
 */
export const tokenCommand: Command = {
  name: 'token',
  summary: 'mint a development token (HS256/384/512 only)',
  help: `Usage: pg-claims token --secret <secret> [--claims <json>] [--alg HS256|HS384|HS512]
                       [--expires-in <span>] [--audience <aud>]… [--issuer <iss>]

Mints a signed JWT for development and tests, and prints it. Only HMAC algorithms
(HS256/384/512) with a shared secret are supported: this is not an identity provider, and it
never handles private keys. The token gets "iat" (now) and "exp" (--expires-in from now) unless
--claims already sets them; --expires-in always wins over a claims "exp".

Options:
  --secret <secret>     shared secret, at least 32 bytes (default: the JWT_SECRET environment variable)
  --claims <json>       the claims, a JSON object (default: {}), e.g. '{"sub":"u1","role":"authenticated"}'
  --alg <alg>           HS256 (default), HS384 or HS512
  --expires-in <span>   lifetime: 30s, 15m, 1h (default), 7d, …
  --audience <aud>      the "aud" claim; repeat for several audiences
  --issuer <iss>        the "iss" claim
  -h, --help            show this help

Example:
  pg-claims token --secret "$JWT_SECRET" --claims '{"sub":"u1","role":"authenticated"}' --audience api

${EXIT_CODES_HELP}`,
  async run(args, io) {
    const { values, positionals } = parseCommand('token', args, options)
    if (values.help) {
      io.stdout.write(this.help)
      return EXIT_CODES.OK
    }
    expectPositionals('token', positionals, [])
    const secret = values.secret ?? io.env.JWT_SECRET
    if (secret === undefined || secret === '') {
      throw new UsageError('token needs --secret <secret> or the JWT_SECRET environment variable', 'token')
    }
    const alg = hsAlgorithm(values.alg ?? 'HS256')
    // core's own checks: the secret is long enough for HMAC, and the claims can reach PostgreSQL
    createClaims({ secret, algorithms: [alg] })
    const claims = parseClaims(values.claims ?? '{}')
    assertStorableJson(claims)

    const jwt = new SignJWT(claims).setProtectedHeader({ alg, typ: 'JWT' })
    if (claims.iat === undefined) jwt.setIssuedAt()
    const expiresIn = values['expires-in']
    if (expiresIn !== undefined || claims.exp === undefined) {
      try {
        jwt.setExpirationTime(expiresIn ?? '1h')
      } catch {
        throw new UsageError(
          `--expires-in must be a time span such as 30s, 15m, 1h or 7d; got ${JSON.stringify(expiresIn)}`,
          'token',
        )
      }
    }
    const audience = oneOrMany(values.audience)
    if (audience !== undefined) jwt.setAudience(audience)
    if (values.issuer !== undefined) jwt.setIssuer(values.issuer)
    io.stdout.write(`${await jwt.sign(new TextEncoder().encode(secret))}\n`)
    return EXIT_CODES.OK
  },
}

function hsAlgorithm(alg: string): HsAlgorithm {
  const found = HS_ALGORITHMS.find((candidate) => candidate === alg)
  if (found === undefined) {
    throw new UsageError(
      `--alg must be HS256, HS384 or HS512 (token mints development tokens with a shared secret only); got ${JSON.stringify(alg)}`,
      'token',
    )
  }
  return found
}

function parseClaims(text: string): JWTPayload {
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch (error) {
    throw new UsageError(`--claims is not JSON: ${messageOf(error)}`, 'token')
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new UsageError(
      '--claims must be a JSON object, e.g. \'{"sub":"u1","role":"authenticated"}\'',
      'token',
    )
  }
  return parsed as JWTPayload
}
