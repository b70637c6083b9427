/** One measured row: a value, the reference it is compared with in the same run, and their ratio. */
export interface BenchRow {
  readonly section: string
  readonly name: string
  readonly unit: string
  readonly value: number
  readonly reference?: { readonly name: string; readonly value: number }
  /** value ÷ reference for throughputs; reference ÷ value for times (so > 1 is always "faster"). */
  readonly ratio?: number
  readonly target?: { readonly description: string; readonly met: boolean }
  readonly note?: string
}
