import { fileURLToPath } from 'node:url'
import { type Claims, installHelpers } from '@pg-claims/core'
import { type conformanceClaims, countConnections, countingPool, useNeonBridge } from '@pg-claims/testing'
import { PrismaPg } from '@prisma/adapter-pg'
import type pg from 'pg'
import { claimsAdapter, pgClaims } from '../src/index.js'
import { claimsNeonAdapter } from '../src/neon.js'
import { ensureGeneratedClient } from './generate-client.js'
import type { PrismaClient } from './generated/prisma/client.js'

const here = (path: string) => fileURLToPath(new URL(path, import.meta.url))

await ensureGeneratedClient(here('./prisma/schema.prisma'), here('./generated/prisma'))
const generated = await import('./generated/prisma/client.js')

/** A client made by {@link createTestClient}, with the suite's claims. */
export type TestDb = ReturnType<
  typeof createTestClient<ReturnType<typeof conformanceClaims> extends Claims<infer C> ? C : never>
>

function extend<TClaims>(client: PrismaClient, claims: Claims<TClaims>) {
  return client.$extends(pgClaims(claims))
}

/**
 * A client on its own pool; `hooked: false` uses plain `PrismaPg` (claims in a separate statement),
 * `isolationLevel` sets the client's default for transactions, `pipeline` the pool's pipeline mode.
 */
export function createTestClient<TClaims>(
  url: string,
  claims: Claims<TClaims>,
  options: { poolSize?: number; hooked?: boolean; isolationLevel?: 'Serializable'; pipeline?: boolean } = {},
) {
  const { pool, opened } = countingPool(url, options.poolSize ?? 1, options.pipeline ?? false)
  const adapter = options.hooked === false ? new PrismaPg(pool) : claimsAdapter(pool)
  const transactionOptions =
    options.isolationLevel === undefined ? {} : { isolationLevel: options.isolationLevel }
  const prisma = extend(new generated.PrismaClient({ adapter, transactionOptions }), claims)
  return {
    prisma,
    pool,
    connectionsOpened: opened,
    close: async () => {
      await prisma.$disconnect()
      await pool.end()
    },
  }
}

/**
 * `@prisma/adapter-neon` as a user writes it (`claimsNeonAdapter({ connectionString })`: `PrismaNeon`,
 * which makes its own Neon `Pool`), reaching the test database through the harness's Neon bridge, with the
 * connections that pool opens counted.
 */
export async function createNeonTestClient<TClaims>(
  url: string,
  claims: Claims<TClaims>,
  options: { poolSize?: number } = {},
) {
  await useNeonBridge()
  let opened = () => 0
  const adapter = claimsNeonAdapter({ connectionString: url, max: options.poolSize ?? 1 })
  const connect = adapter.connect.bind(adapter)
  adapter.connect = async () => {
    const connected = await connect()
    opened = countConnections(connected.underlyingDriver())
    return connected
  }
  // the load suites queue many transactions on a small pool over the WebSocket bridge, on 2 cores:
  // more than Prisma's default 2 s to get a connection
  const transactionOptions = { maxWait: 15_000, timeout: 15_000 }
  const prisma = extend(new generated.PrismaClient({ adapter, transactionOptions }), claims)
  return { prisma, connectionsOpened: () => opened(), close: () => prisma.$disconnect() }
}

/** The helpers, and the two tables of test/prisma/schema.prisma with RLS on, owned by `auth.user_id()`. */
export async function createTables(admin: pg.Client): Promise<void> {
  await installHelpers(admin)
  await admin.query(`
    create table notes (
      id serial primary key,
      owner text not null default auth.user_id(),
      body text not null
    );
    create table tags (
      id serial primary key,
      owner text not null default auth.user_id(),
      name text not null,
      note_id int not null references notes (id)
    );
    alter table notes enable row level security;
    alter table tags enable row level security;
    grant select, insert, update, delete on notes, tags to authenticated;
    grant select on notes, tags to anon;
    grant usage on sequence notes_id_seq, tags_id_seq to authenticated;
    create policy own_notes on notes to authenticated
      using (owner = (select auth.user_id())) with check (owner = (select auth.user_id()));
    create policy own_tags on tags to authenticated
      using (owner = (select auth.user_id())) with check (owner = (select auth.user_id()));
  `)
}
