import { describeConformance } from '@pg-claims/testing'
import { prismaNeonTarget } from './target.js'

describeConformance(prismaNeonTarget)
