import type { ConformanceTarget } from '@pg-claims/testing'
import { pgTarget } from '../../packages/core/test/pg-target.js'

/** Every adapter, as the cross-package suites drive it. */
export const adapterTargets: readonly ConformanceTarget[] = [pgTarget]
