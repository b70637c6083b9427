import type { BenchRow } from './row.js'

/**
 * Why a target can be missed, and what would close it: analysis from profiling these cases,
 * printed under the tables for every row whose target this run missed.
 */
const EXPLANATIONS: ReadonlyArray<{ readonly matches: (row: BenchRow) => boolean; readonly why: string }> = [
  {
    matches: (row) => row.name.startsWith('Prisma') && row.section.includes('1 ms'),
    why: 'Prisma: a claims client shares one query extension per base client (building one costs about 14 µs, down from 40 µs with an `$extends` per request), and the flights are counted in packages/prisma/test/round-trips.test.ts. What remains is Prisma’s own CPU per operation, which weighs more on this 2-core machine where the bench, the proxy and PostgreSQL share the cores.',
  },
  {
    matches: (row) => row.section.startsWith('Claims transaction with per-role settings'),
    why: 'PostgREST parity: the same flights with and without (the pre-request call and the role’s settings ride in the BEGIN flight, counted in packages/core/test/postgrest-parity.test.ts); the difference is PostgreSQL’s work for the extra `set_config` calls and the PL/pgSQL call, and this 2-core machine’s noise is of the same order as the 2% asked.',
  },
  {
    matches: (row) => row.section.includes('1 ms'),
    why: 'Adapter at 1 ms: the flights are counted in each package’s round-trip tests (a pipelined claims query 1, like the plain query; a pipelined one-query claims transaction 2, against 3); the difference is server and client CPU for the settings (one statement with a `set_config` per setting, the role switch, `BEGIN` and `COMMIT` around a single query), which weighs more on this 2-core machine where the bench, the proxy and PostgreSQL share the cores. Not measured yet: `settings.jwtClaims: false` (only `role` and `request.jwt.claims`) sends and sets fewer settings.',
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
