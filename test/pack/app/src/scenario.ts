// What every adapter program does, against a database prepared by the test: alice and bob each
// write a note, then alice lists the notes (RLS shows her only hers), an anonymous caller lists
// them (none), and a malformed token is refused with a PgClaimsError the app recognizes.
import { type Claims, createClaims, isPgClaimsError } from '@pg-claims/core'

/** One adapter, seen from the scenario. */
export interface Adapter {
  insert(token: string | null, body: string): Promise<void>
  list(token: string | null): Promise<Array<{ owner: string; body: string }>>
  close(): Promise<void>
}

/** An environment variable the test sets; missing, it stops the program with its name. */
export function setting(name: 'DATABASE_URL' | 'JWT_SECRET' | 'ALICE_TOKEN' | 'BOB_TOKEN'): string {
  const value = process.env[name]
  if (value === undefined) throw new Error(`${name} is not set`)
  return value
}

/** The claims every program uses, as the READMEs configure them. */
export function appClaims(): Claims {
  return createClaims({
    secret: setting('JWT_SECRET'),
    audience: 'api',
    roles: { claim: 'role', default: 'anon', allowed: ['anon', 'authenticated'] },
  })
}

/** Runs the scenario and prints its outcome as JSON for the test to check. */
export async function run(adapter: Adapter): Promise<void> {
  try {
    await adapter.insert(setting('ALICE_TOKEN'), 'by alice')
    await adapter.insert(setting('BOB_TOKEN'), 'by bob')
    const alice = await adapter.list(setting('ALICE_TOKEN'))
    const anonymous = await adapter.list(null)
    let refused: string | undefined
    try {
      await adapter.list('not-a-token')
    } catch (error) {
      refused = isPgClaimsError(error)
        ? `${error.code} ${error.status}`
        : `not a PgClaimsError: ${String(error)}`
    }
    console.log(JSON.stringify({ alice, anonymous: anonymous.length, refused }))
  } finally {
    await adapter.close()
  }
}
