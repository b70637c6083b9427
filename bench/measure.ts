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

/**
 * For a difference smaller than the machine's drift, on a pool that is not saturated: `workers`
 * loops (one per pooled connection, so none waits for another) alternate `candidate` and
 * `reference` operation by operation for `millis` (half the loops starting with each), timing
 * every operation. A slow stretch of the machine hits both sides alike, within milliseconds.
 * Returns the ratio of their mean times (reference ÷ candidate, which is the throughput ratio a
 * closed loop of this size would see), and each side's throughput at that mean, `workers` at a
 * time. The slowest 1% of each side (garbage collection, a descheduled process) is left out.
 */
export async function interleavedRatio(
  candidate: (index: number) => Promise<unknown>,
  reference: (index: number) => Promise<unknown>,
  options: { millis: number; workers: number },
): Promise<{ ratio: number; candidate: number; reference: number }> {
  const times = { candidate: [] as number[], reference: [] as number[] }
  const run = async (millis: number, record: boolean) => {
    const end = performance.now() + millis
    await Promise.all(
      Array.from({ length: options.workers }, async (_, worker) => {
        for (let turn = 0; performance.now() < end; turn += 1) {
          const side = (turn + worker) % 2 === 0 ? 'candidate' : 'reference'
          const start = performance.now()
          await (side === 'candidate' ? candidate : reference)(worker + turn * options.workers)
          if (record) times[side].push(performance.now() - start)
        }
      }),
    )
  }
  await run(options.millis / 10, false) // warm up
  await run(options.millis, true)
  const mean = (values: number[]) => {
    const kept = [...values].sort((a, b) => a - b).slice(0, Math.ceil(values.length * 0.99))
    return kept.reduce((sum, value) => sum + value, 0) / kept.length
  }
  const [candidateMs, referenceMs] = [mean(times.candidate), mean(times.reference)]
  return {
    ratio: referenceMs / candidateMs,
    candidate: (options.workers * 1000) / candidateMs,
    reference: (options.workers * 1000) / referenceMs,
  }
}
