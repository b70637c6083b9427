/**
 * The SQL types a claim can be read as, and the TypeScript type each gives.
 *
 * @example
 * ```ts
 * type OrgId = TypeOfSqlType<'integer'> // number
 * ```
 */
export interface SqlTypeMap {
  text: string
  uuid: string
  integer: number
  bigint: string
  numeric: string
  boolean: boolean
  jsonb: unknown
}

/**
 * A SQL type name a claim can be declared with.
 *
 * @example
 * ```ts
 * const orgId: ClaimSqlType = 'integer'
 * ```
 */
export type ClaimSqlType = keyof SqlTypeMap

/**
 * The TypeScript type of a SQL type.
 *
 * @example
 * ```ts
 * const active: TypeOfSqlType<'boolean'> = true
 * ```
 */
export type TypeOfSqlType<T extends ClaimSqlType> = SqlTypeMap[T]

/** The PostgreSQL cast of each declared type (`text` needs none). */
export const SQL_CASTS: Readonly<Record<Exclude<ClaimSqlType, 'text' | 'jsonb'>, string>> = {
  uuid: 'pg_catalog.uuid',
  integer: 'pg_catalog.int4',
  bigint: 'pg_catalog.int8',
  numeric: 'pg_catalog.numeric',
  boolean: 'pg_catalog.bool',
}
