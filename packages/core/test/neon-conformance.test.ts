import { describeConformance } from '@pg-claims/testing'
import { neonTarget } from './neon-target.js'

describeConformance(neonTarget)
