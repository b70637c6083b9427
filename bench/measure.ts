/** Median of a non-empty list. */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  const middle = Math.floor(sorted.length / 2)
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2
}

/**
 * Closed-loop throughput: `workers` loops each run `operation` back to back for `millis`;
 * returns completed operations per second.
 */
export async function throughput(
  operation: (index: number) => Promise<unknown>,
  workers: number,
  millis: number,
) {
  const end = performance.now() + millis
  const start = performance.now()
  let done = 0
  await Promise.all(
    Array.from({ length: workers }, async (_, worker) => {
      for (let index = worker; performance.now() < end; index += workers) {
        await operation(index)
        done += 1
      }
    }),
  )
  return done / ((performance.now() - start) / 1000)
}

/**
 * Runs `variants` in interleaved rounds (A B A B …, starting side alternating), so machine noise
 * hits all of them alike, and returns each one's median throughput.
 */
export async function compareThroughput(
  variants: Readonly<Record<string, (index: number) => Promise<unknown>>>,
  options: { rounds: number; millis: number; workers: number },
): Promise<Record<string, number>> {
  const names = Object.keys(variants)
  const samples: Record<string, number[]> = Object.fromEntries(names.map((name) => [name, []]))
  for (const name of names) await throughput(variants[name]!, options.workers, options.millis / 4) // warm up
  for (let round = 0; round < options.rounds; round += 1) {
    const order = round % 2 === 0 ? names : [...names].reverse()
    for (const name of order)
      samples[name]!.push(await throughput(variants[name]!, options.workers, options.millis))
  }
  return Object.fromEntries(names.map((name) => [name, median(samples[name]!)]))
}

/**
 * For a difference smaller than the machine's drift: `candidate` and `reference` back to back in
 * each of `rounds` short rounds (order alternating), and the median of the per-round ratios
 * (candidate ÷ reference throughput), so a slow stretch of the machine hits both sides of a ratio.
 */
export async function pairedRatio(
  candidate: (index: number) => Promise<unknown>,
  reference: (index: number) => Promise<unknown>,
  options: { rounds: number; millis: number; workers: number },
): Promise<{ ratio: number; candidate: number; reference: number }> {
  await throughput(candidate, options.workers, options.millis / 2) // warm up
  await throughput(reference, options.workers, options.millis / 2)
  const ratios: number[] = []
  const samples = { candidate: [] as number[], reference: [] as number[] }
  for (let round = 0; round < options.rounds; round += 1) {
    const measure = async (side: 'candidate' | 'reference') => {
      const value = await throughput(
        side === 'candidate' ? candidate : reference,
        options.workers,
        options.millis,
      )
      samples[side].push(value)
      return value
    }
    const [first, second] =
      round % 2 === 0 ? (['candidate', 'reference'] as const) : (['reference', 'candidate'] as const)
    const a = await measure(first)
    const b = await measure(second)
    ratios.push(first === 'candidate' ? a / b : b / a)
  }
  return { ratio: median(ratios), candidate: median(samples.candidate), reference: median(samples.reference) }
}

/** Synchronous or asynchronous operations per second over `millis`, after a warm-up. */
export async function opsPerSecond(operation: () => unknown, millis: number): Promise<number> {
  const run = async (duration: number) => {
    const end = performance.now() + duration
    const start = performance.now()
    let done = 0
    while (performance.now() < end) {
      for (let batch = 0; batch < 50; batch += 1) await operation()
      done += 50
    }
    return done / ((performance.now() - start) / 1000)
  }
  await run(millis / 5)
  const samples = [await run(millis / 3), await run(millis / 3), await run(millis / 3)]
  return median(samples)
}
