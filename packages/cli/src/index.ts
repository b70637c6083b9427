/**
 * The `pg-claims` command line, runnable in-process through {@link run}.
 *
 * @module
 */
export type { Command } from './command.js'
export { explainCommand } from './commands/explain.js'
export { installCommand } from './commands/install.js'
export { lintCommand } from './commands/lint.js'
export { sqlCommand } from './commands/sql.js'
export { tokenCommand } from './commands/token.js'
export { DatabaseError, reportError, UsageError } from './errors.js'
export { EXIT_CODES, EXIT_CODES_HELP, type ExitCode } from './exit-codes.js'
export type { CliIo, TextSink } from './io.js'
export { formatLintReport, type LintScope, lintFailed, lintReportJson } from './lint-output.js'
export { type Explanation, explanationJson, formatExplanation, refusalJson } from './output.js'
export { commands, mainHelp, run } from './run.js'
export { cliVersion } from './version.js'
