import { describeConformance } from '@pg-claims/testing'
import { kyselyPostgresJsTarget } from './postgres-js-target.js'

describeConformance(kyselyPostgresJsTarget)
