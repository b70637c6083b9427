import type { CallOptions, Claims } from '@pg-claims/core'
import { CallerScope } from '@pg-claims/core/adapter'
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
         * The caller holding `token` (`null`: the anonymous caller). The token is verified (through
         * core's cache) before every operation and transaction takes a connection, so `exp` holds
         * for a client kept for hours; a bad one rejects with a `PgClaimsError`. `call` adds the
         * request context (`request.*`) and settings of this call.
         */
        withClaims<TClient>(
          this: TClient,
          token: string | null,
          call?: CallOptions,
        ): ClaimsClient<TClient, TClaims> {
          return claimsClient(this, CallerScope.forToken(claims, token, call))
        },
        /**
         * A caller whose claims your own auth layer already verified: checked and copied now (a
         * `PgClaimsError` here when they cannot be applied). Never pass client input here.
         */
        withVerifiedClaims<TClient>(
          this: TClient,
          verified: TClaims,
          call?: CallOptions,
        ): ClaimsClient<TClient, TClaims> {
          return claimsClient(this, CallerScope.forVerifiedClaims(claims, verified, call))
        },
      },
    }),
  )
}

function claimsClient<TClient, TClaims>(
  parent: TClient,
  caller: CallerScope<TClaims>,
): ClaimsClient<TClient, TClaims> {
  const built: DynamicClient = buildClaimsClient(asDynamicClient(parent), caller)
  // The client built at runtime has exactly the members ClaimsClient declares (see claims-client.ts);
  // TypeScript cannot follow Prisma's proxies, so the view goes back through `unknown`, once, here.
  return built as unknown as ClaimsClient<TClient, TClaims>
}
