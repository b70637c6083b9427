/**
 * Real-PostgreSQL test harness for pg-claims.
 *
 * Add `@pg-claims/testing/global-setup` to vitest's `globalSetup`; then, in test files,
 * {@link createTestDatabase} gives each file its own database and {@link startPgProxy} counts (and
 * can slow down) round trips between a client and the server.
 *
 * @module
 */

export { type PostgresBinaries, startServerFromBinaries } from './binaries-server.js'
export { type BootstrapResult, bootstrapServer } from './bootstrap.js'
export {
  type AdapterParts,
  type AdapterUnderTest,
  adapterUnderTest,
  type ConformanceTarget,
  conformanceClaims,
  describeConformance,
  type Row,
  type RunSql,
  type ScopeUnderTest,
  type TargetOptions,
} from './conformance.js'
export { describeParity, type ParityRoute } from './conformance-parity.js'
export {
  hostAndPortOf,
  withCredentials,
  withDatabase,
  withHostAndPort,
} from './connection-url.js'
export { countConnections, countingPool, type PoolEvents } from './counting-pool.js'
export { countingPostgresJs } from './counting-postgres-js.js'
export { type CreateTestDatabaseOptions, createTestDatabase, type TestDatabase } from './database.js'
export { startEmbeddedServer } from './embedded-server.js'
export { useExternalServer } from './external-server.js'
export { findFreePort } from './free-port.js'
export { lintFindings } from './lint.js'
export { type NeonBridge, startNeonBridge } from './neon-bridge.js'
export { countingNeonPool, neonBridge, useNeonBridge } from './neon-pool.js'
export { type PgProxy, type PgProxyOptions, startPgProxy } from './pg-proxy.js'
export { roles } from './roles.js'
export { type ScratchServer, startScratchServer } from './scratch-server.js'
export type { PgClaimsServer } from './server-info.js'
export type { StartedServer } from './started-server.js'
export { startTestcontainersServer, testcontainersImage } from './testcontainers-server.js'
export { signToken, TEST_SECRET, testKeyPairs, unsignedToken } from './tokens.js'
