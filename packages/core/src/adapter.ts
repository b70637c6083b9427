/**
 * The adapter-author API of pg-claims: the caller scope, the claims-transaction engine, the
 * connection contract a driver implements, the `pg` driver, and the SQL-text tools adapters share.
 * Applications use `@pg-claims/core`; an adapter is wiring on top of this.
 *
 * @example
 * ```ts
 * import { CallerScope, runClaimsStatement, usingPgConnection } from '@pg-claims/core/adapter'
 *
 * const scope = CallerScope.forToken(claims, token)
 * const context = await scope.context() // verified before any connection is taken
 * await usingPgConnection(pool, (connection) =>
 *   runClaimsStatement(connection, context, (lease) => connection.lend(lease).query('select 1')),
 * )
 * ```
 *
 * @module
 */
export {
  type ExpressionWrap,
  mapClaimExpressions,
  type SqlWrap,
  type Wrapped,
} from './accessors/claim-expressions.js'
export { connectPg, PgConnection, type PgPool, type PgPoolClient, usingPgConnection } from './drivers/pg.js'
export { PgTransactionWatch } from './drivers/pg-transaction-watch.js'
export {
  PostgresJsConnection,
  type PostgresJsSql,
  usingPostgresJsConnection,
} from './drivers/postgres-js.js'
export { assertStorableJson } from './serialize/json-value.js'
export { CallerScope } from './session/caller-scope.js'
export { ClaimsTransaction, runClaimsStatement, runClaimsTransaction } from './session/claims-transaction.js'
export type { SessionConnection, StatementJoin, StatementResult } from './session/connection.js'
export { Lease, releaseRefused } from './session/lease.js'
export { fromOpeningError, fromPreRequestError, preRequestStatus } from './session/pre-request-error.js'
export { fromSettingsError } from './session/settings-error.js'
export {
  beginWithClaimsSql,
  COMMIT,
  commitWithCheckSql,
  ROLLBACK,
  type Statement,
  sessionCheckStatement,
  settingsStatement,
} from './session/statements.js'
export { beginStatement } from './session/transaction-options.js'
export { functionCall, quoteIdentifier } from './sql/function-call.js'
export { quoteLiteral } from './sql/literal.js'
export { setConfigSql } from './sql/set-config.js'
