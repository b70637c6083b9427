import type { CatalogSnapshot } from './catalog.js'
import { ident, qualified } from './sql-names.js'
import type { LintFinding } from './types.js'

/**
 * `pre_request_not_callable`: can every claims transaction call the `preRequest` function? It is
 * called in the settings statement, so PostgreSQL checks EXECUTE when that statement starts: for the
 * login role, before the role switch. A function that is missing, or that the login role may not
 * execute, fails every transaction with `PRE_REQUEST_FAILED`.
 */
export function preRequestRules(catalog: CatalogSnapshot): LintFinding[] {
  const { preRequest } = catalog
  if (preRequest === undefined || preRequest.loginMayExecute === true) return []
  const shown = `${preRequest.schema}.${preRequest.name}()`
  const object = `function ${shown}`
  if (preRequest.loginMayExecute === undefined) {
    return [
      {
        id: 'pre_request_not_callable',
        severity: 'error',
        object,
        message: `The preRequest function ${shown} (without arguments) does not exist, so every claims transaction fails with PRE_REQUEST_FAILED (42883). Create it, or fix the name (it is matched exactly, case included).`,
      },
    ]
  }
  const login = catalog.login.name
  return [
    {
      id: 'pre_request_not_callable',
      severity: 'error',
      object,
      message: `The login role ${login} may not execute the preRequest function: pg-claims calls it in the settings statement, where PostgreSQL checks EXECUTE for the login role before the role switch, so every claims transaction fails with PRE_REQUEST_FAILED (42501).`,
      fix: `grant execute on function ${qualified(preRequest.schema, preRequest.name)}() to ${ident(login)};`,
    },
  ]
}
