import type { BenchRow } from './report.js'

/**
 * Why a target can be missed, and what would close it: analysis from profiling these cases,
 * printed under the tables for every row whose target this run missed.
 */
const EXPLANATIONS: ReadonlyArray<{ readonly matches: (row: BenchRow) => boolean; readonly why: string }> = [
  {
    matches: (row) => row.name.startsWith('Prisma') && row.section.includes('1 ms'),
    why: 'Prisma: the claims transaction takes the same round trips as a plain one (packages/prisma/test/round-trips.test.ts); the rest is CPU in Node: each `withClaims(token)` builds a claims client with `$extends`, and Prisma builds a new client proxy for every `$extends` call. Closing it: extend once per base client and carry the per-request context to that one extension (it cannot ride in AsyncLocalStorage to the adapter, because Prisma batches same-tick `findUnique` calls across requests).',
  },
  {
    matches: (row) => row.section.includes('1 ms'),
    why: 'Adapter at 1 ms: the same round trips as a plain transaction (counted in each package’s round-trip tests); the difference is server and client CPU for the settings (one `SELECT` with a `set_config` per setting, the role switch), which weighs more on this 2-core machine where the bench, the proxy and PostgreSQL share the cores. Run to run, these rows land between 0.95× and 0.98× here. Not measured yet: `settings.jwtClaims: false` (only `role` and `request.jwt.claims`) sends and sets fewer settings.',
  },
  {
    matches: (row) => row.section.startsWith('RLS policy'),
    why: 'Helper: the wrapped call is planned as an InitPlan and evaluated once; what remains is per row, comparing each `owner` with a parameter instead of a constant (about 10 ns a row in a sequential scan of 100,000 rows). With the policy column indexed, as every RLS guide advises, both are the same index scan.',
  },
]

/** The explanations for this run's missed targets, as markdown (empty when none was missed). */
export function missedTargetNotes(rows: readonly BenchRow[]): string {
  const missed = rows.filter((row) => row.target && !row.target.met)
  if (missed.length === 0) return ''
  const lines = ['**Targets missed in this run, and why**', '']
  for (const row of missed) {
    const explanation = EXPLANATIONS.find((candidate) => candidate.matches(row))
    lines.push(`- ${row.name} (${row.section}): ${explanation?.why ?? 'no analysis yet'}`)
  }
  return `${lines.join('\n')}\n`
}
