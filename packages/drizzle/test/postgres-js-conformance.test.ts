import { describeConformance } from '@pg-claims/testing'
import { drizzlePostgresJsTarget } from './postgres-js-target.js'

describeConformance(drizzlePostgresJsTarget)
