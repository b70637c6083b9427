// Type-checked only (no Neon endpoint here; the Neon path runs in packages/prisma's conformance
// suite through the harness's WebSocket bridge): the `@pg-claims/prisma/neon` entry resolves, under
// node16 and bundler resolution, from the tarball.
import { pgClaims } from '@pg-claims/prisma'
import { claimsNeonAdapter } from '@pg-claims/prisma/neon'
import { PrismaClient } from './generated/prisma/client.js'
import { appClaims, setting } from './scenario.js'

export const neonClient = () =>
  new PrismaClient({ adapter: claimsNeonAdapter({ connectionString: setting('DATABASE_URL') }) }).$extends(
    pgClaims(appClaims()),
  )
