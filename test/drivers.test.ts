import { installHelpers } from '@pg-claims/core'
import {
  type AdapterUnderTest,
  type ConformanceTarget,
  conformanceClaims,
  createTestDatabase,
  type TestDatabase,
} from '@pg-claims/testing'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { neonTarget } from '../packages/core/test/neon-target.js'
import { postgresJsTarget } from '../packages/core/test/postgres-js-target.js'
import { drizzleNeonTarget } from '../packages/drizzle/test/neon-target.js'
import { drizzlePostgresJsTarget } from '../packages/drizzle/test/postgres-js-target.js'
import { kyselyNeonTarget } from '../packages/kysely/test/neon-target.js'
import { kyselyPostgresJsTarget } from '../packages/kysely/test/postgres-js-target.js'
import { prismaNeonTarget } from '../packages/prisma/test/target.js'
import { findPgBouncer, type PgBouncer, startPgBouncer } from './support/pgbouncer.js'
import { committedRowsByTenant, runTenantLoad, TENANT_SCHEMA } from './support/tenant-load.js'

/** The drivers beyond `pg`, each adapter on each: postgres.js with and without prepared statements, Neon's Pool. */
const driverTargets: readonly { readonly target: ConformanceTarget; readonly pipeline: boolean }[] = [
  { target: postgresJsTarget, pipeline: false },
  { target: postgresJsTarget, pipeline: true },
  { target: neonTarget, pipeline: false },
  { target: kyselyNeonTarget, pipeline: false },
  { target: drizzleNeonTarget, pipeline: false },
  { target: drizzlePostgresJsTarget, pipeline: false },
  { target: kyselyPostgresJsTarget, pipeline: false },
  { target: prismaNeonTarget, pipeline: false },
]

const USERS = 50
const TENANTS = 10
const PER_USER = 40

async function loadAndCheck(database: TestDatabase, adapters: AdapterUnderTest[], label: string) {
  const result = await runTenantLoad({ adapters, users: USERS, tenants: TENANTS, perUser: PER_USER })
  const admin = new pg.Client({ connectionString: database.adminUrl })
  await admin.connect()
  const committed = await committedRowsByTenant(admin).finally(() => admin.end())
  console.log(
    `${label}: ${result.transactions} transactions through ${adapters.length} driver targets; ${result.failures.length} failures; ${result.leaks.length} leaks`,
  )
  expect(result.failures).toEqual([])
  expect(result.leaks).toEqual([])
  expect(result.transactions).toBe(USERS * PER_USER)
  expect(committed).toEqual(result.writes)
}

async function tenantDatabase(): Promise<TestDatabase> {
  return createTestDatabase({
    setup: async (admin) => {
      await installHelpers(admin)
      await admin.query(TENANT_SCHEMA)
    },
  })
}

describe('drivers: isolation under load', () => {
  let database: TestDatabase
  let adapters: AdapterUnderTest[] = []

  beforeAll(async () => {
    database = await tenantDatabase()
    adapters = await Promise.all(
      driverTargets.map(({ target, pipeline }) =>
        target.create({ url: database.url, claims: conformanceClaims(), poolSize: 3, pipeline }),
      ),
    )
  })

  afterAll(async () => {
    await Promise.all(adapters.map((adapter) => adapter.close()))
    await database?.drop()
  })

  it('keeps tenants apart on postgres.js and on Neon’s Pool (Prisma through @prisma/adapter-neon too)', async () => {
    await loadAndCheck(database, adapters, 'drivers isolation')
  })
})

const binary = findPgBouncer()
if (binary === undefined) {
  console.warn('drivers behind PgBouncer skipped: PgBouncer is not installed (apt-get install pgbouncer)')
}

describe.skipIf(binary === undefined)('drivers behind PgBouncer in transaction-pooling mode', () => {
  let database: TestDatabase
  let bouncer: PgBouncer
  let adapters: AdapterUnderTest[] = []

  beforeAll(async () => {
    database = await tenantDatabase()
    bouncer = await startPgBouncer(binary!, database.url, 3)
    // postgres.js with prepare: false, as transaction poolers need, and Neon's Pool
    adapters = await Promise.all(
      driverTargets
        .filter(({ pipeline }) => !pipeline)
        .map(({ target }) =>
          target.create({ url: bouncer.url, claims: conformanceClaims(), poolSize: 6, pipeline: false }),
        ),
    )
  })

  afterAll(async () => {
    await Promise.all(adapters.map((adapter) => adapter.close()))
    await bouncer?.stop()
    await database?.drop()
  })

  it('keeps tenants apart with many more clients than server connections', async () => {
    await loadAndCheck(database, adapters, 'drivers behind pgbouncer')
  })
})
