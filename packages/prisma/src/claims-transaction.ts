import { type ClaimsContext, fromSettingsError } from '@pg-claims/core'
import { type PendingBegin, startingClaimsTransaction } from './begin-hook.js'
import type { DynamicClient, PrismaTransactionOptions } from './dynamic-client.js'

/**
 * Runs `fn` in one interactive transaction of `client` (a client without the claims hooks) that
 * carries `context`: in the `BEGIN` message when the pool went through `claimsAdapter`, otherwise
 * with one `SELECT set_config(…)` statement before `fn` runs. Nothing in `fn` runs before the claims
 * are in place; any failure rolls the whole transaction back. Role errors become `PgClaimsError`s.
 */
export async function inClaimsInteractiveTransaction<T>(
  client: DynamicClient,
  context: ClaimsContext<unknown>,
  options: PrismaTransactionOptions | undefined,
  fn: (tx: DynamicClient) => Promise<T>,
): Promise<T> {
  const pending: PendingBegin = { context, taken: false, applied: false }
  try {
    return await startingClaimsTransaction(pending, () =>
      client.$transaction(async (tx) => {
        if (!pending.applied) {
          await tx.$executeRawUnsafe(context.settingsSql).catch((error: unknown) => {
            pending.error = postgresError(error) ?? error
            throw error
          })
        }
        return fn(tx)
      }, options),
    )
  } catch (error) {
    throw pending.error === undefined ? error : fromSettingsError(pending.error, context.role)
  }
}

/**
 * The SQLSTATE under the Prisma error wrapping a failed raw query (P2010, whose
 * `meta.driverAdapterError.cause.originalCode` keeps it), as `fromSettingsError` reads it.
 */
function postgresError(error: unknown): { code: unknown } | undefined {
  const adapterError = field(field(error, 'meta'), 'driverAdapterError')
  const code = field(field(adapterError, 'cause'), 'originalCode')
  return code === undefined ? undefined : { code }
}

function field(value: unknown, name: string): unknown {
  return typeof value === 'object' && value !== null && name in value
    ? (Reflect.get(value, name) as unknown)
    : undefined
}
