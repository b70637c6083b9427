import { PgClaimsError } from '../errors.js'

/**
 * Turns the error PostgreSQL raised while applying settings into a {@link PgClaimsError} when it
 * is about the role: 22023 (no such role) is `ROLE_UNKNOWN`, 42501 (not a member) is
 * `ROLE_NOT_GRANTED`. Anything else is returned unchanged.
 *
 * @example
 * ```ts
 * try { await client.query(beginWithClaimsSql(context)) } catch (error) { throw fromSettingsError(error, context.role) }
 * ```
 */
export function fromSettingsError(error: unknown, role: string | null): unknown {
  if (role === null || typeof error !== 'object' || error === null || !('code' in error)) return error
  if (error.code === '22023') {
    return new PgClaimsError('ROLE_UNKNOWN', `PostgreSQL has no role "${role}"`, { cause: error })
  }
  if (error.code === '42501') {
    return new PgClaimsError(
      'ROLE_NOT_GRANTED',
      `The login role may not switch to "${role}": run GRANT "${role}" TO <login role>`,
      { cause: error },
    )
  }
  return error
}
