/**
 * Prisma 7 client extension running every operation, raw query and transaction under verified JWT
 * claims, applied as transaction-local PostgreSQL settings for row-level security.
 *
 * @module
 */
export { type ClaimsAdapterOptions, claimsAdapter } from './adapter.js'
export { pgClaims } from './extension.js'
export type { ClaimsClient, ClaimsTransactionClient, ClaimsTransactionOptions } from './types.js'
