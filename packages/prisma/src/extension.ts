import type { Claims } from '@pg-claims/core'
import { Prisma } from '@prisma/client/extension'
import { buildClaimsClient } from './claims-client.js'
import { asDynamicClient, type DynamicClient } from './dynamic-client.js'
import type { ClaimsClient } from './types.js'

/**
 * The Prisma client extension: adds `withClaims(token)` and `withVerifiedClaims(claims)`, which
 * return a client whose operations, raw queries and transactions all run under the caller's claims.
 * The client it extends stays claim-free (migrations, admin jobs). Create the client with
 * `claimsAdapter(pool)` so that the claims travel in the `BEGIN` message.
 *
 * @example
 * ```ts
 * import { createClaims } from '@pg-claims/core'
 * import { claimsAdapter, pgClaims } from '@pg-claims/prisma'
 * import { PrismaClient } from './generated/prisma/client.js'
 *
 * const claims = createClaims({ secret, roles: { default: 'anon', allowed: ['anon', 'authenticated'] } })
 * const prisma = new PrismaClient({ adapter: claimsAdapter(new pg.Pool({ connectionString })) })
 *   .$extends(pgClaims(claims))
 *
 * const notes = await prisma.withClaims(token).note.findMany() // verified, then under RLS
 * ```
 */
export function pgClaims<TClaims>(claims: Claims<TClaims>) {
  return Prisma.defineExtension((client) =>
    client.$extends({
      name: 'pg-claims',
      client: {
        /**
         * The caller holding `token` (`null`: the anonymous caller). The token is verified once,
         * before this client's first operation takes a connection; a bad one rejects that operation
         * with a `PgClaimsError`.
         */
        withClaims<TClient>(this: TClient, token: string | null): ClaimsClient<TClient, TClaims> {
          return claimsClient(this, () => claims.resolve(token))
        },
        /** A caller whose claims your own auth layer already verified. Never pass client input here. */
        withVerifiedClaims<TClient>(this: TClient, verified: TClaims): ClaimsClient<TClient, TClaims> {
          return claimsClient(this, async () => claims.resolveVerified(verified))
        },
      },
    }),
  )
}

function claimsClient<TClient, TClaims>(
  parent: TClient,
  resolve: Parameters<typeof buildClaimsClient<TClaims>>[1],
): ClaimsClient<TClient, TClaims> {
  const built: DynamicClient = buildClaimsClient(asDynamicClient(parent), resolve)
  // The client built at runtime has exactly the members ClaimsClient declares (see claims-client.ts);
  // TypeScript cannot follow Prisma's proxies, so the view goes back through `unknown`, once, here.
  return built as unknown as ClaimsClient<TClient, TClaims>
}
