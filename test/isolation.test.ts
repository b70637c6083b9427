import { installHelpers } from '@pg-claims/core'
import {
  type AdapterUnderTest,
  conformanceClaims,
  createTestDatabase,
  type TestDatabase,
} from '@pg-claims/testing'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { adapterTargetsOnPools } from './support/adapters.js'
import { committedRowsByTenant, runTenantLoad, TENANT_SCHEMA } from './support/tenant-load.js'

const USERS = 50
const TENANTS = 10
const PER_USER = 200 // 10,000 transactions in all
const POOL_SIZE = 5

let database: TestDatabase
let adapters: AdapterUnderTest[]

beforeAll(async () => {
  database = await createTestDatabase({
    setup: async (admin) => {
      await installHelpers(admin)
      await admin.query(TENANT_SCHEMA)
    },
  })
  adapters = await Promise.all(
    adapterTargetsOnPools.map(({ target, pipeline }) =>
      target.create({ url: database.url, claims: conformanceClaims(), poolSize: POOL_SIZE, pipeline }),
    ),
  )
})

afterAll(async () => {
  await Promise.all(adapters.map((adapter) => adapter.close()))
  await database.drop()
})

describe('isolation under load', () => {
  it(`keeps ${USERS} users of ${TENANTS} tenants apart over ${USERS * PER_USER} transactions on small pools`, async () => {
    const started = performance.now()
    const result = await runTenantLoad({ adapters, users: USERS, tenants: TENANTS, perUser: PER_USER })
    const seconds = (performance.now() - started) / 1000
    const admin = new pg.Client({ connectionString: database.adminUrl })
    await admin.connect()
    const committed = await committedRowsByTenant(admin).finally(() => admin.end())
    const writes = [...result.writes.values()].reduce((sum, n) => sum + n, 0)
    console.log(
      `isolation: ${result.transactions} transactions in ${seconds.toFixed(1)} s by ${USERS} users through ${adapters.length} adapter(s) (${adapterTargetsOnPools.map((t) => t.name).join(', ')}), pool ${POOL_SIZE} each; ${writes} writes committed; ${result.failures.length} failures; ${result.leaks.length} leaks`,
    )
    expect(result.failures).toEqual([])
    expect(result.leaks).toEqual([])
    expect(result.transactions).toBe(USERS * PER_USER)
    expect(committed).toEqual(result.writes)
  }, 180_000) // 10,000 transactions through eight adapter × pool pairs on a 2-core machine
})
