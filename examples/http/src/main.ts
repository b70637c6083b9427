import { startScratchServer } from '@pg-claims/testing'
import pg from 'pg'
import { createApp } from './app.js'
import { EXAMPLE_SECRET, exampleClaims, mintToken } from './claims.js'
import { createSchema } from './schema.js'
import { listen } from './server.js'

const port = Number(process.env.PORT ?? 3000)
const secret = process.env.JWT_SECRET ?? EXAMPLE_SECRET

// An embedded PostgreSQL (or DATABASE_URL) with the roles anon, authenticated and authenticator.
const database = await startScratchServer()
const admin = new pg.Client({ connectionString: database.adminUrl })
await admin.connect()
try {
  await createSchema(admin)
} finally {
  await admin.end()
}

const pool = new pg.Pool({ connectionString: database.appUrl, max: 10, pipeline: true })
const server = await listen(createApp({ pool, claims: exampleClaims(secret) }), { port })
const alice = await mintToken({ sub: 'alice', role: 'authenticated' }, secret)
const bob = await mintToken({ sub: 'bob', role: 'authenticated' }, secret)

console.log(`pg-claims HTTP example listening on ${server.url} (Ctrl-C to stop)

  export ALICE=${alice}
  export BOB=${bob}

  curl -s -X POST ${server.url}/notes -H "Authorization: Bearer $ALICE" -H 'content-type: application/json' -d '{"body":"buy milk"}'
  curl -s -X POST ${server.url}/notes -H "Authorization: Bearer $BOB" -H 'content-type: application/json' -d '{"body":"fix the bike"}'
  curl -s ${server.url}/notes -H "Authorization: Bearer $ALICE"   # only alice's notes
  curl -s ${server.url}/notes -H "Authorization: Bearer $BOB"     # only bob's notes
  curl -s ${server.url}/notes                                     # anonymous: []
  curl -s ${server.url}/me -H "Authorization: Bearer $ALICE"      # role, user id and claims as PostgreSQL sees them
  curl -si ${server.url}/notes -H "Authorization: Bearer \${ALICE}x" # forged: 401 TOKEN_SIGNATURE_INVALID
`)

let stopping = false
async function stop(): Promise<void> {
  if (stopping) return
  stopping = true
  await server.close()
  await pool.end()
  await database.stop()
}
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    stop().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(error)
        process.exit(1)
      },
    )
  })
}
