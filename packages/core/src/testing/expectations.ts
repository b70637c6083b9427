import { AssertionError } from 'node:assert'
import { isDeepStrictEqual } from 'node:util'

/**
 * The connection `expectRows` and `expectDenied` query: the client `asClaims` hands its callback
 * (any `pg` Client or PoolClient in a transaction).
 *
 * @example
 * ```ts
 * await asClaims(db, claims, async (client: TestClient) => expectRows(client, 'select 1'))
 * ```
 */
export interface TestClient {
  query(text: string, values?: unknown[]): Promise<{ rows: unknown[]; rowCount: number | null }>
}

/**
 * A statement for `expectRows` and `expectDenied`: its text, or its text and parameters.
 *
 * @example
 * ```ts
 * const query: TestQuery = { text: 'select * from notes where id = $1', values: [1] }
 * ```
 */
export type TestQuery = string | { readonly text: string; readonly values?: readonly unknown[] }

/**
 * How `expectDenied` saw the statement denied: an `insufficient_privilege` error (SQLSTATE 42501:
 * a missing grant, or a row failing a policy's `WITH CHECK`), or no row returned nor changed (the
 * policies' `USING` filtered every row out).
 *
 * @example
 * ```ts
 * const denial: Denial = { reason: 'insufficient_privilege', message: 'new row violates row-level security policy for table "notes"' }
 * ```
 */
export type Denial =
  | { readonly reason: 'insufficient_privilege'; readonly message: string }
  | { readonly reason: 'no_rows' }

const SAVEPOINT = 'pg_claims_expect'

function textAndValues(query: TestQuery): [string, unknown[] | undefined] {
  return typeof query === 'string' ? [query, undefined] : [query.text, query.values && [...query.values]]
}

/**
 * Asserts that the statement is allowed and returns rows: exactly `expected` rows when it is an
 * array (compared deeply and in order, so give the query an `ORDER BY`), that many rows when it is a
 * number, at least one otherwise. Returns the rows. Throws an `AssertionError` (with `actual` and
 * `expected`, which vitest shows as a diff) when they differ, and rethrows a query error.
 *
 * @example
 * ```ts
 * await asClaims(db, { sub: 'alice', role: 'authenticated' }, async (client) => {
 *   await expectRows(client, 'select body from notes order by id', [{ body: 'mine' }])
 *   await expectRows(client, { text: 'update notes set body = $1 returning id', values: ['edited'] }, 1)
 * })
 * ```
 */
export async function expectRows<Row = Record<string, unknown>>(
  client: TestClient,
  query: TestQuery,
  expected?: number | readonly Row[],
): Promise<Row[]> {
  const [text, values] = textAndValues(query)
  const { rows } = await client.query(text, values)
  const fits =
    expected === undefined
      ? rows.length > 0
      : typeof expected === 'number'
        ? rows.length === expected
        : isDeepStrictEqual(rows, [...expected])
  if (!fits) {
    const wanted =
      expected === undefined
        ? 'at least one row'
        : typeof expected === 'number'
          ? `${expected} row(s)`
          : 'these rows'
    throw new AssertionError({
      message: `expected ${wanted} from ${JSON.stringify(text)}, got ${rows.length}`,
      actual: rows,
      expected,
      operator: 'expectRows',
      stackStartFn: expectRows,
    })
  }
  return rows as Row[]
}

/**
 * Asserts that the statement is denied: it fails with SQLSTATE 42501 `insufficient_privilege`
 * (no grant for the role, or a written row fails a policy's `WITH CHECK`), or it returns and changes
 * no row (for `SELECT`, `UPDATE` and `DELETE` the policies' `USING` hides every row). Any other
 * error is rethrown, so a typo is not mistaken for a denial; an aggregate such as `count(*)` always
 * returns a row, so select the rows themselves.
 *
 * The statement runs under a savepoint, rolled back after a denial, so the transaction stays usable
 * for the next assertion. Returns how it was denied.
 *
 * @example
 * ```ts
 * await asClaims(db, { sub: 'bob', role: 'authenticated' }, async (client) => {
 *   await expectDenied(client, "select * from notes where owner = 'alice'") // { reason: 'no_rows' }
 *   await expectDenied(client, "insert into notes (owner, body) values ('alice', 'forged')") // 42501
 * })
 * ```
 */
export async function expectDenied(client: TestClient, query: TestQuery): Promise<Denial> {
  const [text, values] = textAndValues(query)
  await client.query(`SAVEPOINT ${SAVEPOINT}`)
  let result: { rows: unknown[]; rowCount: number | null }
  try {
    result = await client.query(text, values)
  } catch (error) {
    await client.query(`ROLLBACK TO SAVEPOINT ${SAVEPOINT}`)
    await client.query(`RELEASE SAVEPOINT ${SAVEPOINT}`)
    if (typeof error === 'object' && error !== null && 'code' in error && error.code === '42501') {
      return {
        reason: 'insufficient_privilege',
        message: error instanceof Error ? error.message : String(error),
      }
    }
    throw error
  }
  await client.query(`RELEASE SAVEPOINT ${SAVEPOINT}`)
  const changed = result.rowCount ?? 0
  if (result.rows.length === 0 && changed === 0) return { reason: 'no_rows' }
  throw new AssertionError({
    message: `expected ${JSON.stringify(text)} to be denied, but it ${result.rows.length > 0 ? `returned ${result.rows.length}` : `changed ${changed}`} row(s)`,
    actual: result.rows,
    expected: [],
    operator: 'expectDenied',
    stackStartFn: expectDenied,
  })
}
