import { PgClaimsError } from '../errors.js'

/**
 * Whether a statement the work sent inside a claims transaction ended that transaction: it left
 * the connection idle (`status` `'I'`, from the ReadyForQuery that answered it: `COMMIT`, `END`,
 * `ROLLBACK`, `ABORT`, `PREPARE TRANSACTION`), or one of its command tags is `COMMIT` or
 * `PREPARE TRANSACTION` (which `COMMIT AND CHAIN` also answers, leaving a new transaction open
 * without the claims). `status` is `undefined` where the driver does not report it (postgres.js):
 * then only the tags tell, and a `ROLLBACK` cannot be told from `ROLLBACK TO SAVEPOINT`.
 *
 * @example
 * ```ts
 * endsTransaction(['COMMIT'], 'I') // true
 * endsTransaction(['ROLLBACK'], 'T') // false: ROLLBACK TO SAVEPOINT
 * ```
 */
export function endsTransaction(commands: readonly string[], status: string | undefined): boolean {
  return (
    status === 'I' || commands.some((command) => command === 'COMMIT' || command === 'PREPARE TRANSACTION')
  )
}

/**
 * The error for the statement of the work that ended its claims transaction (see
 * {@link endsTransaction}); the drivers answer that statement with it, refuse every later one, and
 * close the connection (postgres.js: reset it).
 *
 * @example
 * ```ts
 * if (endsTransaction(commands, status)) callback(transactionEndedEarly())
 * ```
 */
export function transactionEndedEarly(): PgClaimsError {
  return new PgClaimsError(
    'TRANSACTION_ENDED_EARLY',
    'A statement of this claims transaction ended it (COMMIT, ROLLBACK, END, ABORT or PREPARE TRANSACTION): what came before it was committed or rolled back by that statement, the statements after it were refused, and the connection is closed or reset before it is reused. Return from the callback to commit, or throw to roll back',
  )
}

/**
 * The command tags in what a driver answered for one statement: a result with a `command`, or an
 * array of them (a simple-protocol text of several statements).
 *
 * @example
 * ```ts
 * commandsOf(await client.query('commit; select 1')) // ['COMMIT', 'SELECT']
 * ```
 */
export function commandsOf(answer: unknown): string[] {
  const command = tagOf(answer)
  if (command !== undefined) return [command]
  return Array.isArray(answer) ? answer.flatMap((part) => tagOf(part) ?? []) : []
}

function tagOf(value: unknown): string | undefined {
  const command: unknown =
    typeof value === 'object' && value !== null ? Reflect.get(value, 'command') : undefined
  return typeof command === 'string' ? command : undefined
}
