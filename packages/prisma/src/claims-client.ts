import { AsyncLocalStorage } from 'node:async_hooks'
import type { CallerScope } from '@pg-claims/core/adapter'
import { inClaimsInteractiveTransaction } from './claims-transaction.js'
import {
  type DynamicClient,
  fluentPath,
  type OperationParams,
  type PrismaOperation,
  type PrismaTransactionOptions,
  runOperation,
  unpackFluent,
} from './dynamic-client.js'

/** The transaction a claims client's batch (`$transaction([…])`) is running its operations in. */
interface BatchRun {
  readonly owner: object
  readonly tx: DynamicClient
}

const batchRuns = new AsyncLocalStorage<BatchRun>()

/**
 * Builds the client `withClaims` returns, on `parent` (the client `withClaims` was called on):
 * - every model operation and raw query runs in its own interactive claims transaction of `parent`;
 * - `$transaction(fn)` runs `fn` in one claims transaction, with `tx.$claims` the typed claims;
 * - `$transaction([…])` runs the operations, in order, in one claims transaction;
 * - `$claims()` verifies and returns the claims.
 * The caller is resolved (a token verified, through core's cache) before every transaction, before
 * any connection is taken.
 */
export function buildClaimsClient<TClaims>(
  parent: DynamicClient,
  caller: CallerScope<TClaims>,
): DynamicClient {
  const owner = {}

  const interactive = async <T>(
    fn: (tx: DynamicClient, claims: TClaims | null) => Promise<T>,
    options?: PrismaTransactionOptions,
  ): Promise<T> => {
    const resolved = await caller.context()
    return inClaimsInteractiveTransaction(parent, resolved, options, (tx) => fn(tx, resolved.claims))
  }

  const hooked = parent.$extends({
    query: {
      $allOperations(params: OperationParams): Promise<unknown> {
        const path = fluentPath(params)
        const run = async (tx: DynamicClient) => unpackFluent(await runOperation(tx, params), path)
        const batch = batchRuns.getStore()
        if (batch === undefined) return interactive(run)
        if (batch.owner !== owner) {
          // Another claims client's operation, awaited by this client's batch: it would run with the
          // wrong claims or outside the batch's transaction, so it is refused.
          throw new TypeError(
            '$transaction([…]) on a claims client takes operations of that same client only',
          )
        }
        return run(batch.tx)
      },
    },
  })

  const $transaction = (work: unknown, options?: PrismaTransactionOptions): Promise<unknown> => {
    if (Array.isArray(work)) {
      const operations: readonly PrismaOperation[] = work
      return interactive(
        (tx) =>
          batchRuns.run({ owner, tx }, async () => {
            const results: unknown[] = []
            for (const operation of operations) results.push(await operation)
            return results
          }),
        options,
      )
    }
    if (typeof work !== 'function') {
      throw new TypeError('$transaction takes an async function or an array of Prisma operations')
    }
    return interactive(
      (tx, claims) => Reflect.apply(work, undefined, [withClaimsMember(tx, claims)]),
      options,
    )
  }

  const members: Record<string | symbol, unknown> = {
    $transaction,
    $claims: async () => (await caller.context()).claims,
    withClaims: undefined,
    withVerifiedClaims: undefined,
    $extends: undefined,
  }
  return new Proxy(hooked, {
    get: (target, key) => (Object.hasOwn(members, key) ? members[key] : Reflect.get(target, key)),
    has: (target, key) =>
      Object.hasOwn(members, key) ? members[key] !== undefined : Reflect.has(target, key),
  })
}

/** The transaction client handed to `$transaction(fn)`: Prisma's, plus `$claims`. */
function withClaimsMember(tx: DynamicClient, claims: unknown): DynamicClient {
  return new Proxy(tx, {
    get: (target, key) => (key === '$claims' ? claims : Reflect.get(target, key)),
    has: (target, key) => key === '$claims' || Reflect.has(target, key),
  })
}
