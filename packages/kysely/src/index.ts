/**
 * Kysely on PostgreSQL under verified JWT claims, for row-level security: `new ClaimsKysely(…)`
 * gives a plain Kysely instance whose `withClaims(token)` handles run every query in a claims
 * transaction, and `claimSql(…)` gives typed expressions reading the claims.
 *
 * @module
 */
export { type ClaimSql, claimSql, type KyselyWrap } from './claim-sql.js'
export { ClaimsKysely, type ClaimsKyselyConfig } from './claims-kysely.js'
