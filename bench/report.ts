import { readFileSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import { missedTargetNotes } from './missed-targets.js'
import type { BenchRow } from './row.js'

export type { BenchRow } from './row.js'

/** The whole run. */
export interface BenchReport {
  readonly date: string
  readonly machine: { cpus: number; cpuModel: string; memoryGiB: number; node: string; postgres: string }
  readonly settings: Record<string, unknown>
  readonly rows: readonly BenchRow[]
}

/** Facts about the machine for the report header. */
export function machineFacts(postgres: string): BenchReport['machine'] {
  return {
    cpus: os.cpus().length,
    cpuModel: os.cpus()[0]?.model ?? 'unknown',
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    postgres,
  }
}

const format = (value: number) =>
  value >= 100
    ? Math.round(value).toLocaleString('en-US')
    : value >= 1
      ? value.toFixed(2)
      : value.toPrecision(3)

/** The report as a markdown table per section. */
export function markdown(report: BenchReport): string {
  const { machine } = report
  const lines = [
    `Measured ${report.date.slice(0, 10)} on ${machine.cpus} × ${machine.cpuModel}, ${machine.memoryGiB} GiB, Node ${machine.node}, PostgreSQL ${machine.postgres}. Ratios compare rows measured side by side in the same run; absolute numbers are context only.`,
    '',
  ]
  const sections = [...new Set(report.rows.map((row) => row.section))]
  for (const section of sections) {
    lines.push(
      `**${section}**`,
      '',
      '| case | value | compared with | ratio | target |',
      '| --- | --- | --- | --- | --- |',
    )
    for (const row of report.rows.filter((candidate) => candidate.section === section)) {
      const reference = row.reference
        ? `${row.reference.name}: ${format(row.reference.value)} ${row.unit}`
        : ''
      const target = row.target ? `${row.target.met ? 'met' : '**missed**'}: ${row.target.description}` : ''
      const note = row.note ? ` (${row.note})` : ''
      lines.push(
        `| ${row.name}${note} | ${format(row.value)} ${row.unit} | ${reference} | ${row.ratio === undefined ? '' : `${(Math.floor(row.ratio * 1000) / 1000).toFixed(3)}×`} | ${target} |`,
      )
    }
    lines.push('')
  }
  return `${lines.join('\n')}\n${missedTargetNotes(report.rows)}`
}

const START = '<!-- bench:start -->'
const END = '<!-- bench:end -->'

/**
 * Writes results/latest.json and results/latest.md, and the table into the README between its
 * markers; a quick run writes results/quick.json and results/quick.md instead (not committed), so
 * it never replaces the figures of a full run.
 */
export function writeReport(report: BenchReport, options: { quick: boolean }): string {
  const table = markdown(report)
  const name = options.quick ? 'quick' : 'latest'
  writeFileSync(new URL(`./results/${name}.json`, import.meta.url), `${JSON.stringify(report, null, 2)}\n`)
  writeFileSync(new URL(`./results/${name}.md`, import.meta.url), `# pg-claims benchmarks\n\n${table}`)
  if (!options.quick) {
    const readmeUrl = new URL('../README.md', import.meta.url)
    const readme = readFileSync(readmeUrl, 'utf8')
    const start = readme.indexOf(START)
    const end = readme.indexOf(END)
    if (start !== -1 && end > start) {
      writeFileSync(readmeUrl, `${readme.slice(0, start + START.length)}\n${table}\n${readme.slice(end)}`)
    }
  }
  return table
}
