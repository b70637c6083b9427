import { claimsDrizzle } from '@pg-claims/drizzle'
import { ClaimsKysely } from '@pg-claims/kysely'
import { sql as drizzleSql } from 'drizzle-orm'
import { drizzle } from 'drizzle-orm/node-postgres'
import { sql as kyselySql } from 'kysely'
import { createTestClient } from '../packages/prisma/test/client.js'
import { BENCH_QUERY, type BenchTargetFactory, benchPool } from './targets.js'

/** Kysely: the plain instance against `db.withClaims(token)`, same pool. */
export const kyselyTarget: BenchTargetFactory = async ({ url, claims, poolSize, pipeline }) => {
  const db = new ClaimsKysely<unknown>({ pool: benchPool(url, poolSize, pipeline), claims })
  const query = (id: number) => kyselySql`select id, owner from bench_items where id = ${id % 100}`
  return {
    name: 'Kysely (ClaimsKysely)',
    plainQuery: (id) => query(id).execute(db),
    claimsQuery: (token, id) => query(id).execute(db.withClaims(token)),
    plainTransaction: (id) => db.transaction().execute((trx) => query(id).execute(trx)),
    claimsTransaction: (token, id) =>
      db
        .withClaims(token)
        .transaction()
        .execute((trx) => query(id).execute(trx)),
    close: () => db.destroy(),
  }
}

/** Drizzle: the plain database against `db.withClaims(token)`, same pool. */
export const drizzleTarget: BenchTargetFactory = async ({ url, claims, poolSize, pipeline }) => {
  const pool = benchPool(url, poolSize, pipeline)
  const db = claimsDrizzle(drizzle(pool), claims)
  const query = (id: number) => drizzleSql`select id, owner from bench_items where id = ${id % 100}`
  return {
    name: 'Drizzle (claimsDrizzle)',
    plainQuery: (id) => db.execute(query(id)),
    claimsQuery: (token, id) => db.withClaims(token).execute(query(id)),
    plainTransaction: (id) => db.transaction((tx) => tx.execute(query(id))),
    claimsTransaction: (token, id) => db.withClaims(token).transaction((tx) => tx.execute(query(id))),
    close: () => pool.end(),
  }
}

/** Prisma 7 with claimsAdapter: the plain client against `withClaims(token)`. */
export const prismaTarget: BenchTargetFactory = async ({ url, claims, poolSize, pipeline }) => {
  const { prisma, close } = createTestClient(url, claims, { poolSize, pipeline })
  return {
    name: 'Prisma ($extends(pgClaims), claimsAdapter)',
    plainQuery: (id) => prisma.$queryRawUnsafe(BENCH_QUERY, id % 100),
    claimsQuery: (token, id) => prisma.withClaims(token).$queryRawUnsafe(BENCH_QUERY, id % 100),
    plainTransaction: (id) => prisma.$transaction((tx) => tx.$queryRawUnsafe(BENCH_QUERY, id % 100)),
    claimsTransaction: (token, id) =>
      prisma.withClaims(token).$transaction((tx) => tx.$queryRawUnsafe(BENCH_QUERY, id % 100)),
    close,
  }
}
