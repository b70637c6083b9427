/**
 * The one place that lists what `@pg-claims/prisma` relies on beyond Prisma's documented API.
 * Checked against @prisma/client 7.10.0, @prisma/adapter-pg 7.10.0 and @prisma/adapter-neon 7.10.0;
 * re-check on every upgrade:
 *
 * - `@prisma/adapter-pg` starts an interactive transaction by checking a client out of the pool with
 *   `pool.connect()` (promise form), then `client.query({ text: 'BEGIN' })`, then, when an isolation
 *   level is set, `client.query({ text: 'SET TRANSACTION ISOLATION LEVEL …' })`, each awaited, with
 *   config objects (`begin-hook.ts` rewrites exactly these, and leaves anything else untouched).
 * - `@prisma/adapter-neon` 7.10.0 does the same on the Neon `Pool` it makes in
 *   `PrismaNeon#connect()` (`pool.connect()`, then `BEGIN` and `SET TRANSACTION ISOLATION LEVEL …`
 *   as config objects), and gives that pool back through the adapter's public
 *   `underlyingDriver()`, which `neon.ts` hooks as a `pg.Pool` (Neon's `Pool` is a copy of pg's).
 * - A query extension's `$allOperations` runs in the async context of the call that awaits the
 *   operation, so `AsyncLocalStorage` set around a `$transaction` call reaches the pool's `connect`
 *   of that transaction (`begin-hook.ts`) and a batch's operations (`claims-client.ts`).
 * - Fluent calls (`note.findUnique(…).tags()`) reach query extensions as the parent operation with
 *   `__internalParams.dataPath`, which is not part of Prisma's public types ({@link fluentPath}).
 * - A failed raw query is a `PrismaClientKnownRequestError` (P2010) whose
 *   `meta.driverAdapterError.cause.originalCode` is the SQLSTATE (`claims-transaction.ts`).
 *
 * - `@prisma/adapter-pg` (and `-neon`) ends an interactive transaction by sending `COMMIT` or
 *   `ROLLBACK` through the transaction's client, then `client.release()` (with the error when
 *   starting failed); `begin-hook.ts` takes the `COMMIT` as the claims commit and removes its hook
 *   at `release`.
 *
 * node-postgres: `client.pipeline` is `true` on a client of a pool made with `pipeline: true`
 * (pg >= 8.23), read to decide whether `BEGIN` and the settings may leave with the first operation.
 * pg-pool gives a client a new `release` at every checkout (`begin-hook.ts` wraps the one of its
 * checkout). The transaction's statements are watched with core's `PgTransactionWatch`, whose pg
 * internals core lists in `drivers/pg-internals.ts`.
 *
 * @module
 */
import type { OperationParams } from './dynamic-client.js'

/**
 * The fields a fluent call (`note.findUnique(…).tags()`) reads from the operation's result:
 * Prisma runs it as the parent operation selecting that relation, and unpacks the result below
 * query extensions, along `__internalParams.dataPath` (`['select', 'tags', …]`), which is not part
 * of Prisma's public types. Empty for every other operation.
 */
export function fluentPath(params: OperationParams): string[] {
  const internal: unknown = Reflect.get(params, '__internalParams')
  const dataPath: unknown =
    typeof internal === 'object' && internal !== null ? Reflect.get(internal, 'dataPath') : []
  return Array.isArray(dataPath) ? dataPath.filter((_, index) => index % 2 === 1).map(String) : []
}

/** Reads `path` from a fluent call's parent result, as Prisma does (`null` stays `null`). */
export function unpackFluent(result: unknown, path: readonly string[]): unknown {
  let value = result
  for (const field of path) {
    value = typeof value === 'object' && value !== null ? Reflect.get(value, field) : value
  }
  return value
}
