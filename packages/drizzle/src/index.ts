/**
 * Drizzle (node-postgres) under verified JWT claims: `claimsDrizzle(db, claims).withClaims(token)`
 * runs transactions and direct queries in claims transactions; typed claim SQL (`claimSql`) and
 * policy helpers (`ownerCheck`, `roleCheck`, `crudPolicy`) for `pgPolicy` and drizzle-kit.
 *
 * @module
 */

export { type CheckOptions, ownerCheck, roleCheck } from './checks.js'
export { type ClaimSql, claimSql, type DrizzleWrap } from './claim-sql.js'
export { type ClaimsDatabase, type ClaimsMethods, type ClaimsViews, claimsDrizzle } from './claims-drizzle.js'
export { anonRole, authenticatedRole, type CrudPolicyOptions, crudPolicy } from './policies.js'
