import { describeConformance } from '@pg-claims/testing'
import { drizzleNeonTarget } from './neon-target.js'

describeConformance(drizzleNeonTarget)
