import { claimsPool, createClaims } from '@pg-claims/core'
import { TEST_SECRET } from '@pg-claims/testing'
import pg from 'pg'
import { interleavedRatio, median } from './measure.js'
import { forEachNetwork } from './network.js'
import type { OverheadSettings } from './overhead.js'
import type { BenchRow } from './report.js'
import { BENCH_QUERY } from './targets.js'
import { benchTokens } from './tokens.js'

/** Interleaved segments per network; the row is their median ratio. */
const SEGMENTS = 5

/** The pre-request function the bench calls: PostgREST's usual shape, a header check. */
export const BENCH_PRE_REQUEST_SQL = `create function public.bench_pre_request() returns void
  language plpgsql as $$
  begin
    if current_setting('request.headers', true)::json ->> 'x-blocked' is not null then
      raise insufficient_privilege using message = 'blocked';
    end if;
  end $$;
  grant execute on function public.bench_pre_request() to anon, authenticated;`

/** A Supabase-style per-role setting, in the bench's database only. */
export const benchRoleSettingsSql = (database: string) =>
  `alter role authenticated in database ${pg.escapeIdentifier(database)} set statement_timeout = '8s'`

/**
 * PostgREST parity's cost: a one-query claims transaction whose claims carry the role's own
 * settings (`ALTER ROLE … SET`, read by `roleSettings`) and call a pre-request function, against
 * the same transaction without either, on the same pipelined pool, alternating operation by
 * operation ({@link interleavedRatio}). Same flights and statements (the round-trip tests count
 * the flights); the difference is the work PostgreSQL does.
 */
export async function measureParityCost(options: {
  url: string
  settings: OverheadSettings
  delayMs: number
  log: (line: string) => void
}): Promise<BenchRow[]> {
  const roles = { default: 'anon', allowed: ['anon', 'authenticated'] }
  const source = new pg.Pool({ connectionString: options.url, max: 1 })
  const plain = createClaims({ secret: TEST_SECRET, roles })
  const parity = createClaims({
    secret: TEST_SECRET,
    roles,
    preRequest: 'public.bench_pre_request',
    roleSettings: { source },
  })
  const token = await benchTokens(options.settings.users, [plain, parity])
  const rows: BenchRow[] = []
  try {
    await forEachNetwork(options.url, options.delayMs, async (url, { name: network, delayMs }) => {
      const pool = new pg.Pool({ connectionString: url, max: options.settings.poolSize, pipeline: true })
      try {
        const [withParity, without] = [claimsPool(pool, parity), claimsPool(pool, plain)]
        const transaction = (db: typeof without) => (index: number) =>
          db.withClaims(token(index)).transaction((client) => client.query(BENCH_QUERY, [index % 100]))
        // the role settings are read once, in the background: wait for them before measuring
        const applied = await withParity
          .withClaims(token(0))
          .query(`select current_setting('statement_timeout') as timeout`)
        if (applied.rows[0]?.timeout !== '8s') throw new Error('bench: the role settings were not applied')
        // a difference of a few percent: both alternate operation by operation, one loop per
        // pooled connection; the median of a few such segments
        // pooled connection; the median of a few such segments. Each is followed by the same
        // transaction against itself (A/A), whose ratio shows how far from 1 noise alone moves it.
        const segments = []
        const noise = []
        const interleaved = { millis: options.settings.millis * 4, workers: options.settings.poolSize }
        for (let segment = 0; segment < SEGMENTS; segment += 1) {
          segments.push(await interleavedRatio(transaction(withParity), transaction(without), interleaved))
          noise.push((await interleavedRatio(transaction(without), transaction(without), interleaved)).ratio)
        }
        const ratio = median(segments.map((segment) => segment.ratio))
        const sameAgainstSame = median(noise)
        const [candidate, reference] = [
          median(segments.map((segment) => segment.candidate)),
          median(segments.map((segment) => segment.reference)),
        ]
        options.log(
          `parity      ${network.padEnd(16)} pipelined pool ${'pg (claimsPool)'.padEnd(45)} ${ratio.toFixed(3)}× (A/A ${sameAgainstSame.toFixed(3)}×)`,
        )
        rows.push({
          section: `Claims transaction with per-role settings and a pre-request function vs without, ${network}, pipelined pool`,
          name: 'pg (claimsPool)',
          note: `the same transaction against itself, measured alike: ${sameAgainstSame.toFixed(3)}×`,
          unit: 'tx/s',
          value: candidate,
          reference: { name: 'claims transaction without them', value: reference },
          ratio,
          ...(delayMs > 0 && { target: { description: 'within 2% (≥ 0.98×)', met: ratio >= 0.98 } }),
        })
      } finally {
        await pool.end()
      }
    })
  } finally {
    await source.end()
  }
  return rows
}
