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
 * the pipelined pool the query pair is measured again unsaturated (one loop per pooled connection,
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
          const result = await compareThroughput(
            {
              plainTransaction: (index) => target.plainTransaction(index),
              claimsTransaction: (index) => target.claimsTransaction(token(index), index),
              ...(plainQuery &&
                claimsQuery && {
                  plainQuery: (index: number) => plainQuery(index),
                  claimsQuery: (index: number) => claimsQuery(token(index), index),
                }),
            },
            settings,
          )
          const kinds = [
            ['transaction', 'Claims transaction vs plain transaction'],
            ...(plainQuery ? [['query', 'Claims query vs the same query without claims'] as const] : []),
          ] as const
          for (const [kind, title] of kinds) {
            const claims = result[kind === 'query' ? 'claimsQuery' : 'claimsTransaction']!
            const plain = result[kind === 'query' ? 'plainQuery' : 'plainTransaction']!
            const ratio = claims / plain
            const goal = targetFor(kind, target.name, delayMs, pipeline)
            options.log(
              `${kind.padEnd(11)} ${network.padEnd(16)} ${pool.padEnd(14)} ${target.name.padEnd(45)} ${ratio.toFixed(3)}×`,
            )
            rows.push({
              section: `${title}, ${network}, ${pool}`,
              name: target.name,
              unit: kind === 'query' ? 'queries/s' : 'tx/s',
              value: claims,
              reference: { name: kind === 'query' ? 'plain query' : 'plain transaction', value: plain },
              ratio,
              ...(goal && { target: { description: goal.description, met: ratio >= goal.threshold } }),
            })
          }
          if (pipeline) {
            const pairs = [
              {
                kind: 'transaction',
                title: 'Claims transaction vs plain transaction',
                claims: (index: number) => target.claimsTransaction(token(index), index),
                plain: (index: number) => target.plainTransaction(index),
              },
              ...(plainQuery && claimsQuery
                ? [
                    {
                      kind: 'query',
                      title: 'Claims query vs the same query without claims',
                      claims: (index: number) => claimsQuery(token(index), index),
                      plain: (index: number) => plainQuery(index),
                    } as const,
                  ]
                : []),
            ] as const
            for (const pair of pairs) {
              const unsaturated = await interleavedRatio(pair.claims, pair.plain, {
                millis: settings.millis * 2,
                workers: settings.poolSize,
              })
              const goal = targetFor(pair.kind, target.name, delayMs, pipeline)
              options.log(
                `${pair.kind.padEnd(11)} ${network.padEnd(16)} ${'unsaturated'.padEnd(14)} ${target.name.padEnd(45)} ${unsaturated.ratio.toFixed(3)}×`,
              )
              rows.push({
                section: `${pair.title}, ${network}, pipelined pool, one loop per connection (unsaturated)`,
                name: target.name,
                unit: pair.kind === 'query' ? 'queries/s' : 'tx/s',
                value: unsaturated.candidate,
                reference: {
                  name: pair.kind === 'query' ? 'plain query' : 'plain transaction',
                  value: unsaturated.reference,
                },
                ratio: unsaturated.ratio,
                ...(goal && {
                  target: { description: goal.description, met: unsaturated.ratio >= goal.threshold },
                }),
              })
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
