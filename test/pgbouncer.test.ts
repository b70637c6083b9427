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
import { findPgBouncer, type PgBouncer, startPgBouncer } from './support/pgbouncer.js'
import { committedRowsByTenant, runTenantLoad, TENANT_SCHEMA } from './support/tenant-load.js'

const binary = findPgBouncer()
if (binary === undefined) {
  console.warn(
    'pgbouncer suite skipped: PgBouncer is not installed (apt-get install pgbouncer; .ci/run does)',
  )
}

const SERVER_CONNECTIONS = 3
const CLIENT_POOL = 10 // per adapter: 40 client connections over 3 server connections
const USERS = 50
const PER_USER = 60

describe.skipIf(binary === undefined)('behind PgBouncer in transaction-pooling mode', () => {
  let database: TestDatabase
  let bouncer: PgBouncer
  let adapters: AdapterUnderTest[]

  beforeAll(async () => {
    database = await createTestDatabase({
      setup: async (admin) => {
        await installHelpers(admin)
        await admin.query(TENANT_SCHEMA)
      },
    })
    bouncer = await startPgBouncer(binary!, database.url, SERVER_CONNECTIONS)
    adapters = await Promise.all(
      adapterTargetsOnPools.map(({ target, pipeline }) =>
        target.create({ url: bouncer.url, claims: conformanceClaims(), poolSize: CLIENT_POOL, pipeline }),
      ),
    )
  })

  afterAll(async () => {
    await Promise.all((adapters ?? []).map((adapter) => adapter.close()))
    await bouncer?.stop()
    await database?.drop()
  })

  it('keeps tenants apart with many more clients than server connections', async () => {
    const result = await runTenantLoad({ adapters, users: USERS, tenants: 10, perUser: PER_USER })
    const admin = new pg.Client({ connectionString: database.adminUrl })
    await admin.connect()
    const committed = await committedRowsByTenant(admin).finally(() => admin.end())
    const server = await countServerConnections(database)
    console.log(
      `pgbouncer: ${result.transactions} transactions by ${USERS} users over ${adapters.length * CLIENT_POOL} client connections and ${SERVER_CONNECTIONS} server connections (${server} seen); ${result.failures.length} failures; ${result.leaks.length} leaks`,
    )
    expect(result.failures).toEqual([])
    expect(result.leaks).toEqual([])
    expect(committed).toEqual(result.writes)
    expect(server).toBeLessThanOrEqual(SERVER_CONNECTIONS)
  })

  it('hands a server connection to a plain client afterwards with no claims and the login role', async () => {
    for (const adapter of adapters) {
      const rows = await adapter.plainQuery('select current_user as role, auth.session() as session')
      expect(rows).toEqual([{ role: 'authenticator', session: null }])
    }
  })
})

async function countServerConnections(database: TestDatabase): Promise<number> {
  const admin = new pg.Client({ connectionString: database.adminUrl })
  await admin.connect()
  try {
    const { rows } = await admin.query(
      `select count(*)::int as n from pg_stat_activity where datname = current_database() and usename = 'authenticator'`,
    )
    return rows[0].n
  } finally {
    await admin.end()
  }
}
