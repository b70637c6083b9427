import { type Claims, claimsPool } from '@pg-claims/core'
import { signToken } from '@pg-claims/testing'
import pg from 'pg'
import { median } from './measure.js'
import type { BenchRow } from './report.js'

const POLICIES = {
  literal: `owner = 'user3'`,
  wrapped: 'owner = (select auth.user_id())',
  bare: 'owner = auth.user_id()',
  literal_indexed: `owner = 'user3'`,
  wrapped_indexed: 'owner = (select auth.user_id())',
} as const

/** Three copies of a `rows`-row table, each with one form of the same RLS policy. */
export async function createHelperTables(admin: pg.Client, rows: number): Promise<void> {
  for (const [form, using] of Object.entries(POLICIES)) {
    await admin.query(`drop table if exists rls_${form};
      create table rls_${form} (id int, owner text);
      insert into rls_${form} select g, 'user' || (g % 100) from generate_series(1, ${rows}) g;
      alter table rls_${form} enable row level security;
      grant select on rls_${form} to authenticated;
      ${form.endsWith('_indexed') ? `create index on rls_${form} (owner);` : ''}
      create policy owner_only on rls_${form} to authenticated using (${using});
      analyze rls_${form};`)
  }
}

/**
 * Server-side execution time of `select count(*)` under each policy form (median of `runs`), as
 * ratios against the literal; and whether the wrapped form's plan has an InitPlan.
 */
export async function measureHelpers(options: {
  url: string
  claims: Claims
  rows: number
  runs: number
  log: (line: string) => void
}): Promise<BenchRow[]> {
  const pool = new pg.Pool({ connectionString: options.url, max: 1 })
  const scope = claimsPool(pool, options.claims).withClaims(
    await signToken({ sub: 'user3', role: 'authenticated' }),
  )
  try {
    const forms = Object.keys(POLICIES)
    const samples: Record<string, number[]> = Object.fromEntries(forms.map((form) => [form, []]))
    let initPlan = false
    // interleaved, run by run, so machine noise hits every form alike
    for (let run = 0; run < options.runs; run += 1) {
      for (const form of run % 2 === 0 ? forms : [...forms].reverse()) {
        const { rows } = await scope.query(`explain (analyze, format json) select count(*) from rls_${form}`)
        const plan = rows[0]!['QUERY PLAN'][0]
        samples[form]!.push(plan['Execution Time'])
        if (form === 'wrapped') initPlan ||= JSON.stringify(plan).includes('InitPlan')
      }
    }
    const times = Object.fromEntries(forms.map((form) => [form, median(samples[form]!)]))
    options.log(
      `helpers: literal ${times.literal!.toFixed(2)} ms, wrapped ${times.wrapped!.toFixed(2)} ms, bare ${times.bare!.toFixed(2)} ms, InitPlan ${initPlan}`,
    )
    const section = `RLS policy on ${options.rows.toLocaleString('en-US')} rows, select count(*) (server execution time, ms)`
    const literal = { name: "literal 'user3'", value: times.literal! }
    const literalIndexed = { name: "literal 'user3', owner indexed", value: times.literal_indexed! }
    return [
      {
        section,
        name: '(select auth.user_id()), no index',
        unit: 'ms',
        value: times.wrapped!,
        reference: literal,
        ratio: times.literal! / times.wrapped!,
        target: { description: 'within 1.1× of the literal', met: times.wrapped! <= times.literal! * 1.1 },
        note: initPlan ? 'plan: InitPlan, evaluated once' : 'no InitPlan in plan',
      },
      {
        section,
        name: '(select auth.user_id()), owner indexed',
        unit: 'ms',
        value: times.wrapped_indexed!,
        reference: literalIndexed,
        ratio: times.literal_indexed! / times.wrapped_indexed!,
        target: {
          description: 'within 1.1× of the literal',
          met: times.wrapped_indexed! <= times.literal_indexed! * 1.1,
        },
      },
      {
        section,
        name: 'auth.user_id() (bare, per row), no index',
        unit: 'ms',
        value: times.bare!,
        reference: literal,
        ratio: times.literal! / times.bare!,
      },
    ]
  } finally {
    await pool.end()
  }
}
