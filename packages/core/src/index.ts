export {
  type ClaimAccessors,
  type ClaimDeclarations,
  type ClaimExpressions,
  claimExpressions,
  type ExpressionWrap,
  mapClaimExpressions,
  type SqlExpression,
  type SqlWrap,
  type Wrapped,
} from './accessors/claim-expressions.js'
export type { ClaimSqlType, SqlTypeMap, TypeOfSqlType } from './accessors/claim-types.js'
export { fromSettingsError } from './apply/database-errors.js'
export { connectGuarded, type GuardedClient } from './apply/guarded-connection.js'
export { type ClaimsPool, type ClaimsScope, claimsPool, inClaimsTransaction } from './apply/pg.js'
export { beginStatement, type TransactionOptions } from './apply/transaction-options.js'
export { type Claims, type ClaimsOptions, createClaims } from './claims.js'
export { beginWithClaimsSql, type ClaimsContext, setConfigSql } from './context.js'
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
export { assertStorableJson, MAX_CLAIMS_DEPTH } from './serialize/json-value.js'
export { type RoleOptions, resolveRoleOptions, roleForClaims } from './serialize/role.js'
export {
  CLAIMS_SETTING,
  claimValueText,
  ROLE_SETTING,
  type Setting,
  type SettingsOptions,
  serializeSettings,
} from './serialize/settings.js'
export {
  HELPERS_VERSION,
  type HelpersOptions,
  helpersSql,
  installHelpers,
  type SqlRunner,
} from './sql/helpers.js'
export { assertStorableText, quoteLiteral } from './sql/literal.js'
export { DEFAULT_HELPERS_SCHEMA } from './sql/schema-name.js'
export { claimNameProblem, isCustomSettingName, type SkippedClaimReason } from './sql/setting-names.js'
export type { KeyOptions } from './verify/keys.js'
export type { TokenCacheOptions } from './verify/token-cache.js'
export { createVerifier, type VerifiedToken, type Verifier } from './verify/verifier.js'
export type { VerifyOptions } from './verify/verify-options.js'
