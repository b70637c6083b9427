import type { Claims } from '@pg-claims/core'
import { signToken, startPgProxy } from '@pg-claims/testing'
import { compareThroughput } from './measure.js'
import type { BenchRow } from './report.js'
import type { BenchTargetFactory } from './targets.js'

/** How hard the overhead rows push. */
export interface OverheadSettings {
  readonly rounds: number
  readonly millis: number
  readonly workers: number
  readonly poolSize: number
  readonly users: number
}

/**
 * Claims transaction vs plain transaction, per target, on loopback and through a proxy adding
 * `delayMs` to every client→server round trip.
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
  const tokens = await Promise.all(
    Array.from({ length: settings.users }, (_, user) =>
      signToken({ sub: `user${user}`, role: 'authenticated' }),
    ),
  )
  for (const token of tokens) await options.claims.resolve(token) // a server sees repeat tokens: warm cache
  const rows: BenchRow[] = []
  for (const delayMs of [0, options.delayMs]) {
    const upstream = new URL(options.url)
    const proxy =
      delayMs > 0
        ? await startPgProxy({
            upstreamHost: upstream.hostname,
            upstreamPort: Number(upstream.port),
            delayMs,
          })
        : undefined
    const url = proxy ? proxy.connectionString(options.url) : options.url
    const network = delayMs > 0 ? `${delayMs} ms round trip` : 'loopback'
    try {
      for (const factory of options.targets) {
        const target = await factory({ url, claims: options.claims, poolSize: settings.poolSize })
        try {
          const result = await compareThroughput(
            {
              plain: (index) => target.plain(index),
              claims: (index) => target.claims(tokens[index % tokens.length]!, index),
            },
            settings,
          )
          const ratio = result.claims! / result.plain!
          options.log(`overhead ${network.padEnd(18)} ${target.name.padEnd(45)} ${ratio.toFixed(3)}×`)
          rows.push({
            section: `Claims transaction vs plain transaction, ${network}`,
            name: target.name,
            unit: 'tx/s',
            value: result.claims!,
            reference: { name: 'plain', value: result.plain! },
            ratio,
            ...(delayMs > 0 &&
              !target.name.startsWith('pg, ') && {
                target: { description: '≥ 0.95× plain', met: ratio >= 0.95 },
              }),
          })
        } finally {
          await target.close()
        }
      }
    } finally {
      await proxy?.close()
    }
  }
  return rows
}
