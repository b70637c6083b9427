import { describeConformance } from '@pg-claims/testing'
import { prismaNeonTarget } from './neon-target.js'

describeConformance(prismaNeonTarget)
