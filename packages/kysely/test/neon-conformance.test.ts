import { describeConformance } from '@pg-claims/testing'
import { kyselyNeonTarget } from './neon-target.js'

describeConformance(kyselyNeonTarget)
