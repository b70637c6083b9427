import type { ConformanceTarget } from '@pg-claims/testing'
import { pgTarget } from '../../packages/core/test/pg-target.js'
import { drizzleTarget } from '../../packages/drizzle/test/target.js'
import { kyselyTarget } from '../../packages/kysely/test/target.js'
import { prismaTarget } from '../../packages/prisma/test/target.js'

/** Every adapter, as the cross-package suites drive it. */
export const adapterTargets: readonly ConformanceTarget[] = [
  pgTarget,
  kyselyTarget,
  drizzleTarget,
  prismaTarget,
]
