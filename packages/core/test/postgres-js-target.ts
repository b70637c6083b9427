import { claimsSql } from '@pg-claims/core'
import {
  adapterUnderTest,
  type ConformanceTarget,
  countingPostgresJs,
  type ScopeUnderTest,
} from '@pg-claims/testing'

/**
 * `claimsSql` on postgres.js. postgres.js always pipelines; the suite's plain run uses
 * `prepare: false` (what transaction poolers need), its "pipelined" run `prepare: true`.
 */
export const postgresJsTarget: ConformanceTarget = {
  name: 'postgres.js (claimsSql; prepare: false, or true on the pipelined run)',
  async create({ url, claims, poolSize, pipeline }) {
    const { sql, opened } = countingPostgresJs(url, poolSize, { prepare: pipeline })
    const db = claimsSql(sql, claims)
    const scope = (handle: ReturnType<typeof db.withClaims>): ScopeUnderTest => ({
      transaction: (work) => handle.transaction((tx) => work(async (text) => [...(await tx.unsafe(text))])),
      query: async (text) => [...(await handle.query((tx) => tx.unsafe(text)))],
    })
    return adapterUnderTest({
      withClaims: (token, call) => scope(db.withClaims(token, call)),
      withVerifiedClaims: (verified) => scope(db.withVerifiedClaims(verified)),
      plainQuery: async (text) => [...(await sql.unsafe(text))],
      connectionsOpened: opened,
      close: () => sql.end(),
    })
  },
}
