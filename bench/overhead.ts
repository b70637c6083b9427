import type { Claims } from '@pg-claims/core'
import { compareThroughput, interleavedRatio } from './measure.js'
import { forEachNetwork } from './network.js'
import type { BenchRow } from './report.js'
import type { BenchTargetFactory } from './targets.js'
import { benchTokens } from './tokens.js'

/** How hard the overhead rows push. */
export interface OverheadSettings {
  readonly rounds: number
  readonly millis: number
  readonly workers: number
  readonly poolSize: number
  readonly users: number
}

/** A claims operation and the same work without claims, measured against each other. */
interface Pair {
  readonly kind: 'query' | 'transaction'
  readonly claims: (index: number) => Promise<unknown>
  readonly plain: (index: number) => Promise<unknown>
}

/** How each kind of pair is reported. */
const KINDS = {
  transaction: {
    title: 'Claims transaction vs plain transaction',
    unit: 'tx/s',
    reference: 'plain transaction',
  },
  query: {
    title: 'Claims query vs the same query without claims',
    unit: 'queries/s',
    reference: 'plain query',
  },
} as const

/** What a row must reach, by case; `undefined`: no target (reference rows, or not set). */
function targetFor(
  kind: 'query' | 'transaction',
  target: string,
  delayMs: number,
  pipeline: boolean,
): { description: string; threshold: number } | undefined {
  if (delayMs === 0 || target.startsWith('pg, ')) return undefined
  if (kind === 'query') {
    // Prisma runs an operation as an interactive transaction: BEGIN rides with it, COMMIT follows
    if (!pipeline || target.startsWith('Prisma')) return undefined
    return { description: '≥ 0.9× plain query', threshold: 0.9 }
  }
  return pipeline
    ? { description: '≥ 1.3× plain transaction', threshold: 1.3 }
    : { description: '≥ 0.95× plain transaction', threshold: 0.95 }
}

/**
 * Per target, on loopback and through a proxy adding `delayMs` to every flight, on a plain pool and
 * on a pipelined one: a single claims query against the same query without claims (autocommit), and
 * a one-query claims transaction against a plain one, measured interleaved in the same rounds. On
 * the pipelined pool both pairs are measured again unsaturated (one loop per pooled connection,
 * alternating operation by operation, {@link interleavedRatio}): what a request waits, rather than
 * how many the shared cores complete.
 */
export async function measureOverhead(options: {
  url: string
  claims: Claims
  targets: readonly BenchTargetFactory[]
  settings: OverheadSettings
  delayMs: number
  log: (line: string) => void
}): Promise<BenchRow[]> {
  const { settings } = options
  const token = await benchTokens(settings.users, [options.claims])
  const rows: BenchRow[] = []
  await forEachNetwork(options.url, options.delayMs, async (url, { name: network, delayMs }) => {
    for (const pipeline of [false, true]) {
      const pool = pipeline ? 'pipelined pool' : 'pool'
      for (const factory of options.targets) {
        const target = await factory({ url, claims: options.claims, poolSize: settings.poolSize, pipeline })
        try {
          const { plainQuery, claimsQuery } = target
          const pairs: Pair[] = [
            {
              kind: 'transaction',
              claims: (index) => target.claimsTransaction(token(index), index),
              plain: (index) => target.plainTransaction(index),
            },
            ...(plainQuery && claimsQuery
              ? [
                  {
                    kind: 'query',
                    claims: (index: number) => claimsQuery(token(index), index),
                    plain: (index: number) => plainQuery(index),
                  } as const,
                ]
              : []),
          ]
          const record = (pair: Pair, loop: string, section: string, value: number, reference: number) => {
            const ratio = value / reference
            const goal = targetFor(pair.kind, target.name, delayMs, pipeline)
            options.log(
              `${pair.kind.padEnd(11)} ${network.padEnd(16)} ${loop.padEnd(14)} ${target.name.padEnd(45)} ${ratio.toFixed(3)}×`,
            )
            const { title, unit, reference: referenceName } = KINDS[pair.kind]
            rows.push({
              section: `${title}, ${network}, ${section}`,
              name: target.name,
              unit,
              value,
              reference: { name: referenceName, value: reference },
              ratio,
              ...(goal && { target: { description: goal.description, met: ratio >= goal.threshold } }),
            })
          }
          const result = await compareThroughput(
            Object.fromEntries(
              pairs.flatMap((pair) => [
                [`plain ${pair.kind}`, pair.plain],
                [`claims ${pair.kind}`, pair.claims],
              ]),
            ),
            settings,
          )
          for (const pair of pairs)
            record(pair, pool, pool, result[`claims ${pair.kind}`]!, result[`plain ${pair.kind}`]!)
          if (pipeline) {
            for (const pair of pairs) {
              const unsaturated = await interleavedRatio(pair.claims, pair.plain, {
                millis: settings.millis * 2,
                workers: settings.poolSize,
              })
              record(
                pair,
                'unsaturated',
                'pipelined pool, one loop per connection (unsaturated)',
                unsaturated.candidate,
                unsaturated.reference,
              )
            }
          }
        } finally {
          await target.close()
        }
      }
    }
  })
  return rows
}
