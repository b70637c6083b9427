import type { Socket } from 'node:net'

/**
 * Writes chunks to a socket `delayMs` after they were handed over, in the order they were handed
 * over; ending the socket waits for the chunks still queued.
 */
export class DelayedWriter {
  readonly #target: Socket
  readonly #delayMs: number
  readonly #queue: { chunk: Buffer; due: number }[] = []
  /** Cancels the scheduled flush; undefined when none is scheduled. */
  #cancelFlush: (() => void) | undefined
  #ending = false

  constructor(target: Socket, delayMs: number) {
    this.#target = target
    this.#delayMs = delayMs
  }

  /** Queues `chunk` to be written `delayMs` from now. */
  write(chunk: Buffer): void {
    this.#queue.push({ chunk, due: performance.now() + this.#delayMs })
    this.#schedule()
  }

  /** Ends the socket once every queued chunk is written. */
  end(): void {
    this.#ending = true
    if (this.#queue.length === 0) this.#target.end()
  }

  /** Drops whatever is still queued. */
  cancel(): void {
    this.#cancelFlush?.()
    this.#cancelFlush = undefined
    this.#queue.length = 0
  }

  #schedule(): void {
    const next = this.#queue[0]
    if (this.#cancelFlush !== undefined || next === undefined) return
    const wait = next.due - performance.now()
    // setTimeout counts whole milliseconds from the event loop's cached clock, so it may fire up to
    // a millisecond early or late. Wait the whole milliseconds with it and the rest (under 1 ms,
    // re-checked by #flush) with setImmediate, so that delays stay close to delayMs.
    if (wait >= 1) {
      const timeout = setTimeout(() => this.#flush(), Math.floor(wait))
      this.#cancelFlush = () => clearTimeout(timeout)
    } else {
      const immediate = setImmediate(() => this.#flush())
      this.#cancelFlush = () => clearImmediate(immediate)
    }
  }

  #flush(): void {
    this.#cancelFlush = undefined
    const now = performance.now()
    for (let next = this.#queue[0]; next !== undefined && next.due <= now; next = this.#queue[0]) {
      this.#queue.shift()
      if (!this.#target.destroyed) this.#target.write(next.chunk)
    }
    if (this.#queue.length > 0) this.#schedule()
    else if (this.#ending) this.#target.end()
  }
}
