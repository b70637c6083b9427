import { hostAndPortOf, startPgProxy } from '@pg-claims/testing'

/** A network the rows are measured on: its name in the report, and the delay added per flight. */
export interface BenchNetwork {
  readonly name: string
  readonly delayMs: number
}

/**
 * Runs `measure` on loopback, then through a proxy adding `delayMs` to every flight, with the URL
 * to connect to and the network (`loopback`, `1 ms round trip`).
 */
export async function forEachNetwork(
  url: string,
  delayMs: number,
  measure: (url: string, network: BenchNetwork) => Promise<void>,
): Promise<void> {
  await measure(url, { name: 'loopback', delayMs: 0 })
  const { host, port } = hostAndPortOf(url)
  const proxy = await startPgProxy({ upstreamHost: host, upstreamPort: port, delayMs })
  try {
    await measure(proxy.connectionString(url), { name: `${delayMs} ms round trip`, delayMs })
  } finally {
    await proxy.close()
  }
}
