import { describeConformance } from '@pg-claims/testing'
import { postgresJsTarget } from './postgres-js-target.js'

describeConformance(postgresJsTarget)
