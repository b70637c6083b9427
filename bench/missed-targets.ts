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
    why: 'PostgREST parity: the same flights and the same statements with and without (the pre-request call and the role’s settings are part of the settings statement; flights counted in packages/core/test/postgrest-parity.test.ts); the A/A control stays within 0.3% of 1, so what remains is real: PostgreSQL’s work for calling a function in the statement (about 30 µs a transaction on loopback, even for a no-op function) and for the role’s `statement_timeout`; over five runs the row measured 0.974–0.996× at 1 ms, median 0.980×.',
  },
  {
    matches: (row) => row.section.includes('1 ms'),
    why: 'Adapter at 1 ms: flights and writes are counted in each package’s round-trip tests and in packages/core/test/pipeline.test.ts (a pipelined claims query is 1 flight and 1 write, like the plain query; a pipelined one-query claims transaction 2 flights, against 3). What remains is CPU: a claims query on pg is the settings statement joined to the query under one Sync, then the session check (the caller does not wait for its answer, the connection’s release does); a transaction adds `BEGIN` and `COMMIT`. On one loopback connection, one query at a time, a plain query takes 234–247 µs and a claims query 398–408 µs (its check answered before the connection is lent again); server-side, the settings statement plans and runs in about 30 µs and the session check in about 27 µs, against 12 µs for `select 1` (EXPLAIN ANALYZE). The closed-loop rows run 8 loops on 4 connections, and the bench client, the delay proxy (in the same event loop) and PostgreSQL share 2 cores, so they count that CPU as much as the flights; the unsaturated rows (one loop per connection) show what a request waits.',
  },
  {
    matches: (row) => row.section.startsWith('RLS policy'),
    why: 'Helper: the wrapped call is planned as an InitPlan and evaluated once; what remains is per row, comparing each `owner` with a parameter instead of a constant (about 10 ns a row in a sequential scan of 100,000 rows). With the policy column indexed, as every RLS guide advises, both are the same index scan.',
  },
]

/**
 * The explanations for this run's missed targets, as markdown (empty when none was missed): each
 * explanation once, under the rows it accounts for.
 */
export function missedTargetNotes(rows: readonly BenchRow[]): string {
  const missed = rows.filter((row) => row.target && !row.target.met)
  if (missed.length === 0) return ''
  const lines = ['**Targets missed in this run, and why**', '']
  for (const explanation of [...EXPLANATIONS, undefined]) {
    const explained = missed.filter(
      (row) => EXPLANATIONS.find((candidate) => candidate.matches(row)) === explanation,
    )
    if (explained.length === 0) continue
    lines.push(`- ${explained.map((row) => `${row.name} (${row.section})`).join('; ')}:`)
    lines.push(`  ${explanation?.why ?? 'no analysis yet'}`)
  }
  return `${lines.join('\n')}\n`
}
