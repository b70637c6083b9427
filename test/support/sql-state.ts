const SQLSTATE = /^[0-9A-Z]{5}$/
/** Prisma's own error codes (P1000–P6999) look like SQLSTATEs but are not. */
const PRISMA_CODE = /^P[1-6]\d{3}$/

/**
 * The SQLSTATE of a database error however an adapter wrapped it: Prisma's `meta.code` or
 * `meta.driverAdapterError.cause.originalCode`, `error.code` (pg, Kysely), or the `cause` chain
 * (Drizzle).
 */
export function sqlStateOf(error: unknown): string | undefined {
  for (
    let current: unknown = error, depth = 0;
    current !== null && typeof current === 'object' && depth < 6;
    depth += 1
  ) {
    const record = current as Record<string, unknown>
    const meta = record.meta as Record<string, unknown> | undefined
    if (typeof meta?.code === 'string' && SQLSTATE.test(meta.code)) return meta.code
    const original = (meta?.driverAdapterError as { cause?: { originalCode?: unknown } } | undefined)?.cause
      ?.originalCode
    if (typeof original === 'string') return original
    if (typeof record.code === 'string' && SQLSTATE.test(record.code) && !PRISMA_CODE.test(record.code))
      return record.code
    current = record.cause
  }
  return undefined
}
