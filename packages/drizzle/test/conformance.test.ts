import { describeConformance } from '@pg-claims/testing'
import { drizzleTarget } from './target.js'

describeConformance(drizzleTarget)
