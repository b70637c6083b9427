import { claimsAdapter, pgClaims } from '@pg-claims/prisma'
import pg from 'pg'
import { PrismaClient } from './generated/prisma/client.js'
import { appClaims, run, setting } from './scenario.js'

const pool = new pg.Pool({ connectionString: setting('DATABASE_URL') })
const prisma = new PrismaClient({ adapter: claimsAdapter(pool) }).$extends(pgClaims(appClaims()))
await run({
  insert: async (token, body) => {
    await prisma.withClaims(token).note.create({ data: { body } })
  },
  list: (token) =>
    prisma.withClaims(token).note.findMany({ select: { owner: true, body: true }, orderBy: { id: 'asc' } }),
  close: async () => {
    await prisma.$disconnect()
    await pool.end()
  },
})
