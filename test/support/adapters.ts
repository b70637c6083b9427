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

/** One adapter on a pool, plain or pipelined (pg's `pipeline: true`). */
export interface TargetOnPool {
  readonly name: string
  readonly target: ConformanceTarget
  readonly pipeline: boolean
}

/** Every adapter on a plain pool and on a pipelined pool. */
export const adapterTargetsOnPools: readonly TargetOnPool[] = adapterTargets.flatMap((target) =>
  [false, true].map((pipeline) => ({
    name: `${target.name}${pipeline ? ', pipelined' : ''}`,
    target,
    pipeline,
  })),
)
