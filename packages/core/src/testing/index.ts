/**
 * RLS test helpers: run statements as a given caller against a test database, and assert what the
 * policies allow and deny. Framework-agnostic: failures are `AssertionError`s, which vitest, jest
 * and `node:test` all report.
 *
 * @module
 */
export { asClaims } from './as-claims.js'
export { type Denial, expectDenied, expectRows, type TestClient, type TestQuery } from './expectations.js'
