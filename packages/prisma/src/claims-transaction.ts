import type { ClaimsContext } from '@pg-claims/core'
import { fromPreRequestError, fromSettingsError, Lease, setConfigSql } from '@pg-claims/core/adapter'
import { type PendingBegin, startingClaimsTransaction } from './begin-hook.js'
import type { DynamicClient, PrismaTransactionOptions } from './dynamic-client.js'

/**
 * Runs `fn` in one interactive transaction of `client` (a client without the claims hooks) that
 * carries `context`: with the `BEGIN` when the pool went through `claimsAdapter` (in the same flight
 * as the first operation on a pipelined pool), otherwise with one settings statement before `fn`
 * runs, and the pre-request function's call as a statement of its own: Prisma's error for a raw
 * statement keeps only the SQLSTATE and message, not PostgreSQL's `where`, so only separate
 * statements tell a role error from one the function raised. Nothing in `fn` runs before the
 * claims are in place; any failure rolls the whole transaction back. Role errors become `PgClaimsError`s. The transaction client `fn` gets refuses
 * every use once the transaction has ended (`TRANSACTION_ENDED`).
 */
export async function inClaimsInteractiveTransaction<T>(
  client: DynamicClient,
  context: ClaimsContext<unknown>,
  options: PrismaTransactionOptions | undefined,
  fn: (tx: DynamicClient) => Promise<T>,
): Promise<T> {
  const lease = new Lease()
  const pending: PendingBegin = { context, taken: false, applied: false, lease }
  try {
    return await startingClaimsTransaction(pending, () =>
      client.$transaction(async (tx) => {
        if (!pending.applied) {
          await tx.$executeRawUnsafe(setConfigSql(context.settings)).catch((error: unknown) => {
            pending.error = postgresError(error) ?? error
            throw error
          })
          if (context.preRequestCall !== undefined) {
            await tx.$executeRawUnsafe(`SELECT ${context.preRequestCall}`).catch((error: unknown) => {
              pending.error = fromPreRequestError(postgresError(error) ?? error)
              throw error
            })
          }
        }
        return fn(revocable(tx, lease))
      }, options),
    )
  } catch (error) {
    throw pending.error === undefined ? error : fromSettingsError(pending.error, context.role)
  } finally {
    lease.revoke()
  }
}

/**
 * `tx`, until `lease` is revoked: from then on every member (`tx.note.findMany`,
 * `tx.$queryRaw`, …) is a function that rejects with `TRANSACTION_ENDED`, so a transaction client
 * kept beyond its callback never sends anything.
 */
function revocable(tx: DynamicClient, lease: Lease): DynamicClient {
  const ended = (): unknown => {
    try {
      lease.assertOpen()
    } catch (error) {
      return Promise.reject(error)
    }
    return undefined
  }
  const refused: object = new Proxy(() => undefined, {
    get: (_, key) => (key === 'then' ? undefined : refused),
    apply: ended,
  })
  return new Proxy(tx, {
    get: (target, key) => (lease.revoked ? refused : Reflect.get(target, key)),
  })
}

/**
 * The SQLSTATE and message under the Prisma error wrapping a failed raw query (P2010, whose
 * `meta.driverAdapterError.cause` keeps `originalCode` and `originalMessage`), as
 * `fromSettingsError` and `fromPreRequestError` read them.
 */
function postgresError(error: unknown): { code: unknown; message: unknown } | undefined {
  const cause = field(field(field(error, 'meta'), 'driverAdapterError'), 'cause')
  const code = field(cause, 'originalCode')
  return code === undefined ? undefined : { code, message: field(cause, 'originalMessage') }
}

function field(value: unknown, name: string): unknown {
  return typeof value === 'object' && value !== null && name in value
    ? (Reflect.get(value, name) as unknown)
    : undefined
}
