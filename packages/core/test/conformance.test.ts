import { describeConformance } from '@pg-claims/testing'
import { pgTarget } from './pg-target.js'

describeConformance(pgTarget)
