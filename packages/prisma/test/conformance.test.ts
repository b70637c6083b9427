import { describeConformance } from '@pg-claims/testing'
import { prismaTarget } from './target.js'

describeConformance(prismaTarget)
