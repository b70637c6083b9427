import { LINT_SEVERITIES, type LintFinding, type LintSeverity } from '@pg-claims/core'

/**
 * What `pg-claims lint` checked against, echoed in its report.
 *
 * @example
 * ```ts
 * const scope: LintScope = { schemas: ['public'], allowedRoles: ['anon', 'authenticated'], loginRole: 'authenticator', helpersSchema: 'auth' }
 * ```
 */
export interface LintScope {
  readonly schemas: readonly string[]
  readonly allowedRoles: readonly string[]
  /** The login role; `undefined` when it is the connected role. */
  readonly loginRole: string | undefined
  readonly helpersSchema: string
}

/**
 * Is some finding at `failOn` or more severe?
 *
 * @example
 * ```ts
 * lintFailed([{ id: 'helpers_outdated', severity: 'warning', object: 'schema auth', message: '…' }], 'error') // false
 * ```
 */
export function lintFailed(findings: readonly LintFinding[], failOn: LintSeverity): boolean {
  const threshold = LINT_SEVERITIES.indexOf(failOn)
  return findings.some((finding) => LINT_SEVERITIES.indexOf(finding.severity) <= threshold)
}

const COLOURS: Record<LintSeverity | 'dim' | 'bold', [string, string]> = {
  error: ['\u001b[31m', '\u001b[39m'],
  warning: ['\u001b[33m', '\u001b[39m'],
  info: ['\u001b[36m', '\u001b[39m'],
  dim: ['\u001b[2m', '\u001b[22m'],
  bold: ['\u001b[1m', '\u001b[22m'],
}

/**
 * The report for a terminal: a summary line, then a table of severity, rule and object, each row
 * followed by why it matters and the fix. ANSI colours only when `colour` is true.
 *
 * @example
 * ```ts
 * io.stdout.write(formatLintReport(findings, scope, { colour: process.stdout.isTTY === true }))
 * ```
 */
export function formatLintReport(
  findings: readonly LintFinding[],
  scope: LintScope,
  options: { readonly colour: boolean },
): string {
  const paint = (style: keyof typeof COLOURS, text: string) =>
    options.colour ? `${COLOURS[style][0]}${text}${COLOURS[style][1]}` : text
  const counts = LINT_SEVERITIES.map(
    (severity) => [severity, findings.filter((f) => f.severity === severity).length] as const,
  )
    .filter(([, count]) => count > 0)
    .map(([severity, count]) =>
      paint(severity, `${count} ${severity}${count === 1 || severity === 'info' ? '' : 's'}`),
    )
  const checked = `schemas ${scope.schemas.join(', ')}; allowed roles ${scope.allowedRoles.join(', ')}; login role ${scope.loginRole ?? '(the connected role)'}; helpers in ${scope.helpersSchema}`
  const lines = [
    `${paint('bold', 'pg-claims lint:')} ${counts.length === 0 ? 'no findings' : counts.join(', ')} (${checked})`,
  ]
  if (findings.length === 0) return `${lines[0]}\n`
  const severityWidth = Math.max('SEVERITY'.length, ...findings.map((f) => f.severity.length))
  const idWidth = Math.max('RULE'.length, ...findings.map((f) => f.id.length))
  const indent = ' '.repeat(severityWidth + 2)
  lines.push('', paint('bold', `${'SEVERITY'.padEnd(severityWidth)}  ${'RULE'.padEnd(idWidth)}  OBJECT`))
  for (const finding of findings) {
    lines.push(
      `${paint(finding.severity, finding.severity.padEnd(severityWidth))}  ${finding.id.padEnd(idWidth)}  ${finding.object}`,
      `${indent}${finding.message}`,
    )
    if (finding.fix !== undefined) {
      const [first = '', ...rest] = finding.fix.split('\n')
      lines.push(
        paint('dim', `${indent}fix: ${first}`),
        ...rest.map((line) => paint('dim', `${indent}     ${line}`)),
      )
    }
  }
  return `${lines.join('\n')}\n`
}

/**
 * The report for CI: one JSON document with the verdict, the counts and every finding.
 *
 * @example
 * ```ts
 * JSON.parse(lintReportJson(findings, 'error')) // { ok: true, failOn: 'error', counts: { error: 0, … }, findings: [] }
 * ```
 */
export function lintReportJson(findings: readonly LintFinding[], failOn: LintSeverity): string {
  const counts = Object.fromEntries(
    LINT_SEVERITIES.map((severity) => [severity, findings.filter((f) => f.severity === severity).length]),
  )
  return `${JSON.stringify({ ok: !lintFailed(findings, failOn), failOn, counts, findings }, null, 2)}\n`
}
