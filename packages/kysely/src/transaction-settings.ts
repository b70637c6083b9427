import { PgClaimsError, type TransactionOptions } from '@pg-claims/core'
import type { TransactionSettings } from 'kysely'

/**
 * Kysely's transaction settings as core's {@link TransactionOptions}. Kysely also offers the
 * `snapshot` isolation level, which PostgreSQL does not have: it is refused before anything is sent.
 */
export function transactionOptions(settings: TransactionSettings): TransactionOptions {
  const { isolationLevel, accessMode } = settings
  if (isolationLevel === 'snapshot') {
    throw new PgClaimsError('CONFIG_INVALID', 'PostgreSQL has no "snapshot" isolation level')
  }
  return { isolationLevel, accessMode }
}
