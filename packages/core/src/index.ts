/**
 * pg-claims: verify a request's JWT and apply its claims as transaction-local PostgreSQL settings
 * for row-level security. This entry point is what applications use; adapter authors build on
 * `@pg-claims/core/adapter`.
 *
 * @module
 */
export {
  type ClaimAccessors,
  type ClaimDeclarations,
  type ClaimExpressions,
  claimExpressions,
  type SqlExpression,
} from './accessors/claim-expressions.js'
export type { ClaimSqlType, SqlTypeMap, TypeOfSqlType } from './accessors/claim-types.js'
export { type Claims, type ClaimsOptions, createClaims } from './claims.js'
export type { PgPool, PgPoolClient } from './drivers/pg.js'
export { ERROR_CODES, isPgClaimsError, PgClaimsError, type PgClaimsErrorCode } from './errors.js'
export { lintDatabase } from './lint/lint.js'
export {
  LINT_SEVERITIES,
  type LintClient,
  type LintFinding,
  type LintOptions,
  type LintRuleId,
  type LintSeverity,
} from './lint/types.js'
export { type ClaimsPool, type ClaimsScope, claimsPool } from './pool/claims-pool.js'
export {
  type ClaimsSql,
  type ClaimsSqlScope,
  type ClaimsTransactionSql,
  claimsSql,
} from './pool/claims-sql.js'
export { type RequestContextOptions, requestContext } from './request/request-context.js'
export { BUILT_IN_SETTINGS } from './serialize/built-in-settings.js'
export type { CallOptions } from './serialize/call-context.js'
export type { ClaimsContext } from './serialize/context.js'
export { MAX_CLAIMS_DEPTH } from './serialize/json-value.js'
export type { RequestContext } from './serialize/request-context.js'
export type { RoleOptions } from './serialize/role.js'
export { CLAIMS_SETTING, ROLE_SETTING, type Setting, type SettingsOptions } from './serialize/settings.js'
export type {
  RoleSettingsOptions,
  RoleSettingsSource,
  SkippedRoleSettingReason,
} from './session/role-settings.js'
export type { TransactionOptions } from './session/transaction-options.js'
export {
  HELPERS_VERSION,
  type HelpersOptions,
  helpersSql,
  installHelpers,
  type SqlRunner,
} from './sql/helpers.js'
export { DEFAULT_HELPERS_SCHEMA } from './sql/schema-name.js'
export type { SkippedClaimReason } from './sql/setting-names.js'
export type { KeyOptions } from './verify/keys.js'
export type { TokenCacheOptions } from './verify/token-cache.js'
export { createVerifier, type VerifiedToken, type Verifier } from './verify/verifier.js'
export type { VerifyOptions } from './verify/verify-options.js'
