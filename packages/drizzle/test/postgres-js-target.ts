import { claimsDrizzle } from '@pg-claims/drizzle'
import {
  adapterUnderTest,
  type ConformanceTarget,
  countingPostgresJs,
  type ScopeUnderTest,
} from '@pg-claims/testing'
import { sql } from 'drizzle-orm'
import { drizzle, type PostgresJsDatabase } from 'drizzle-orm/postgres-js'

const scope = (db: Omit<PostgresJsDatabase, '$client'>): ScopeUnderTest => ({
  transaction: (work) => db.transaction((tx) => work(async (text) => [...(await tx.execute(sql.raw(text)))])),
  query: async (text) => [...(await db.execute(sql.raw(text)))],
})

/** `claimsDrizzle` on `drizzle-orm/postgres-js` (`prepare: false`, or `true` on the pipelined run). */
export const drizzlePostgresJsTarget: ConformanceTarget = {
  name: 'drizzle (postgres-js; prepare: false, or true on the pipelined run)',
  async create({ url, claims, poolSize, pipeline }) {
    const { sql: client, opened } = countingPostgresJs(url, poolSize, { prepare: pipeline })
    const db = claimsDrizzle(drizzle({ client }), claims)
    return adapterUnderTest({
      withClaims: (token, call) => scope(db.withClaims(token, call)),
      withVerifiedClaims: (verified) => scope(db.withVerifiedClaims(verified)),
      plainQuery: async (text) => [...(await db.execute(sql.raw(text)))],
      connectionsOpened: opened,
      close: () => client.end(),
    })
  },
}
