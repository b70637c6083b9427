import { describeParity, type ParityRoute } from '@pg-claims/testing'
import { adapterTargetsOnPools } from './support/adapters.js'
import { findPgBouncer, startPgBouncer } from './support/pgbouncer.js'

const binary = findPgBouncer()
if (binary === undefined) {
  console.warn(
    'pgbouncer parity suite skipped: PgBouncer is not installed (apt-get install pgbouncer; .ci/run does)',
  )
}

/** Transaction pooling over 2 server connections: every transaction may land on another backend. */
const viaPgBouncer: ParityRoute = {
  name: 'PgBouncer (transaction pooling)',
  open: (url) => startPgBouncer(binary!, url, 2),
}

// Without PgBouncer the suite is not registered; the warning above says why.
if (binary !== undefined) {
  for (const { target, pipeline } of adapterTargetsOnPools) describeParity(target, pipeline, viaPgBouncer)
}
