/**
 * The SQLSTATE of a database error however an adapter wrapped it: `error.code` (pg, Kysely), the
 * `cause` chain (Drizzle), or `meta.code` / `meta.driverAdapterError.cause.originalCode` (Prisma).
 */
export function sqlStateOf(error: unknown): string | undefined {
  for (
    let current: unknown = error, depth = 0;
    current !== null && typeof current === 'object' && depth < 6;
    depth += 1
  ) {
    const record = current as Record<string, unknown>
    if (typeof record.code === 'string' && /^[0-9A-Z]{5}$/.test(record.code)) return record.code
    const meta = record.meta as Record<string, unknown> | undefined
    if (typeof meta?.code === 'string' && /^[0-9A-Z]{5}$/.test(meta.code)) return meta.code
    const original = (meta?.driverAdapterError as { cause?: { originalCode?: unknown } } | undefined)?.cause
      ?.originalCode
    if (typeof original === 'string') return original
    current = record.cause
  }
  return undefined
}
