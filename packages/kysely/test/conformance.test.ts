import { describeConformance } from '@pg-claims/testing'
import { kyselyTarget } from './target.js'

describeConformance(kyselyTarget)
