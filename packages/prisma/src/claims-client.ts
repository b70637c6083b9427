import { AsyncLocalStorage } from 'node:async_hooks'
import type { CallerScope } from '@pg-claims/core/adapter'
import { inClaimsInteractiveTransaction } from './claims-transaction.js'
import {
  type DynamicClient,
  type OperationParams,
  type PrismaOperation,
  type PrismaTransactionOptions,
  runOperation,
} from './dynamic-client.js'
import { fluentPath, unpackFluent } from './prisma-internals.js'

/** The caller whose operation Prisma is running: set around the awaiting of that operation. */
interface ClaimsCall {
  /** The claims client the operation belongs to. */
  readonly owner: object
  /** Runs `fn` in an interactive claims transaction of the caller. */
  readonly interactive: <T>(fn: (tx: DynamicClient) => Promise<T>) => Promise<T>
}

/** The transaction a claims client's batch (`$transaction([…])`) is running its operations in. */
interface BatchRun {
  readonly owner: object
  readonly tx: DynamicClient
}

const claimsCalls = new AsyncLocalStorage<ClaimsCall>()
const batchRuns = new AsyncLocalStorage<BatchRun>()

/**
 * `parent` with the one query extension every claims client of it shares, made once per parent:
 * an extension per request would cost a new Prisma client each time (tens of microseconds). The
 * extension finds the operation's caller in {@link claimsCalls}, which the claims client sets
 * around the awaiting of each of its operations.
 */
const hookedClients = new WeakMap<DynamicClient, DynamicClient>()

function hookedClient(parent: DynamicClient): DynamicClient {
  let hooked = hookedClients.get(parent)
  if (hooked === undefined) {
    hooked = parent.$extends({
      query: {
        $allOperations(params: OperationParams): Promise<unknown> {
          const call = claimsCalls.getStore()
          if (call === undefined) {
            throw new TypeError('A claims client operation ran outside its caller (a pg-claims bug)')
          }
          const path = fluentPath(params)
          const run = async (tx: DynamicClient) => unpackFluent(await runOperation(tx, params), path)
          const batch = batchRuns.getStore()
          if (batch === undefined) return call.interactive(run)
          if (batch.owner !== call.owner) {
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
    hookedClients.set(parent, hooked)
  }
  return hooked
}

/**
 * Builds the client `withClaims` returns, on `parent` (the client `withClaims` was called on):
 * - every model operation and raw query runs in its own interactive claims transaction of `parent`;
 * - `$transaction(fn)` runs `fn` in one claims transaction, with `tx.$claims` the typed claims;
 * - `$transaction([…])` runs the operations, in order, in one claims transaction;
 * - `$claims()` verifies and returns the claims.
 * The caller is resolved (a token verified, through core's cache) before every transaction, before
 * any connection is taken. Building one costs a few objects: the Prisma client under it, with the
 * query extension, is shared by every claims client of `parent`.
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
  const call: ClaimsCall = { owner, interactive: (fn) => interactive(fn) }

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
  const hooked = hookedClient(parent)
  return new Proxy(hooked, {
    get: (target, key) =>
      Object.hasOwn(members, key) ? members[key] : inCaller(Reflect.get(target, key), target, call),
    has: (target, key) =>
      Object.hasOwn(members, key) ? members[key] !== undefined : Reflect.has(target, key),
  })
}

/**
 * `value` (a member of the shared hooked client: a model delegate, `$queryRaw`, …) as seen by one
 * caller: every operation it returns is awaited inside `call`, so the shared query extension knows
 * whose operation it runs.
 */
function inCaller(value: unknown, self: object, call: ClaimsCall): unknown {
  if (typeof value === 'function') {
    return (...args: unknown[]) => operationInCaller(Reflect.apply(value, self, args), call)
  }
  if (typeof value === 'object' && value !== null) {
    return new Proxy(value, { get: (target, key) => inCaller(Reflect.get(target, key), target, call) })
  }
  return value
}

/**
 * A Prisma operation (a lazy `PrismaPromise`) whose awaiting runs inside `call`: `then`, `catch` and
 * `finally` enter the caller's context, and fluent calls (`.tags()`) give operations that do too.
 */
function operationInCaller(operation: unknown, call: ClaimsCall): unknown {
  if (typeof operation !== 'object' || operation === null || !('then' in operation)) return operation
  return new Proxy(operation, {
    get(target, key) {
      const member: unknown = Reflect.get(target, key)
      if (typeof member !== 'function') return member
      if (key === 'then' || key === 'catch' || key === 'finally') {
        return (...args: unknown[]) => claimsCalls.run(call, () => Reflect.apply(member, target, args))
      }
      return (...args: unknown[]) => operationInCaller(Reflect.apply(member, target, args), call)
    },
  })
}

/** The transaction client handed to `$transaction(fn)`: Prisma's, plus `$claims`. */
function withClaimsMember(tx: DynamicClient, claims: unknown): DynamicClient {
  return new Proxy(tx, {
    get: (target, key) => (key === '$claims' ? claims : Reflect.get(target, key)),
    has: (target, key) => key === '$claims' || Reflect.has(target, key),
  })
}
