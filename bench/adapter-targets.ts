import { claimsDrizzle } from '@pg-claims/drizzle'
import { ClaimsKysely } from '@pg-claims/kysely'
import { sql as drizzleSql } from 'drizzle-orm'
import { drizzle } from 'drizzle-orm/node-postgres'
import { sql as kyselySql } from 'kysely'
import pg from 'pg'
import { createTestClient } from '../packages/prisma/test/client.js'
import { BENCH_QUERY, type BenchTargetFactory } from './targets.js'

/** Kysely: `db.transaction()` against `db.withClaims(token).transaction()`, same pool. */
export const kyselyTarget: BenchTargetFactory = async ({ url, claims, poolSize }) => {
  const db = new ClaimsKysely<unknown>({
    pool: new pg.Pool({ connectionString: url, max: poolSize }),
    claims,
  })
  const query = (id: number) => kyselySql`select id, owner from bench_items where id = ${id % 100}`
  return {
    name: 'Kysely (ClaimsKysely)',
    plain: (id) => db.transaction().execute((trx) => query(id).execute(trx)),
    claims: (token, id) =>
      db
        .withClaims(token)
        .transaction()
        .execute((trx) => query(id).execute(trx)),
    close: () => db.destroy(),
  }
}

/** Drizzle: `db.transaction()` against `db.withClaims(token).transaction()`, same pool. */
export const drizzleTarget: BenchTargetFactory = async ({ url, claims, poolSize }) => {
  const pool = new pg.Pool({ connectionString: url, max: poolSize })
  const db = claimsDrizzle(drizzle(pool), claims)
  const query = (id: number) => drizzleSql`select id, owner from bench_items where id = ${id % 100}`
  return {
    name: 'Drizzle (claimsDrizzle)',
    plain: (id) => db.transaction((tx) => tx.execute(query(id))),
    claims: (token, id) => db.withClaims(token).transaction((tx) => tx.execute(query(id))),
    close: () => pool.end(),
  }
}

/** Prisma 7 with claimsAdapter: `$transaction(fn)` against `withClaims(token).$transaction(fn)`. */
export const prismaTarget: BenchTargetFactory = async ({ url, claims, poolSize }) => {
  const { prisma, close } = createTestClient(url, claims, { poolSize })
  return {
    name: 'Prisma ($extends(pgClaims), claimsAdapter)',
    plain: (id) => prisma.$transaction((tx) => tx.$queryRawUnsafe(BENCH_QUERY, id % 100)),
    claims: (token, id) =>
      prisma.withClaims(token).$transaction((tx) => tx.$queryRawUnsafe(BENCH_QUERY, id % 100)),
    close,
  }
}
