import pg from 'pg'

/**
 * Connects a `pg.Client` to `url`, runs `work` with it and always closes it again.
 *
 * @returns whatever `work` returns
 */
export async function withClient<T>(url: string, work: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url })
  // A connection that the server terminates between queries emits 'error'; without a listener that
  // would crash the process. The query that notices will reject anyway.
  client.on('error', () => {})
  await client.connect()
  try {
    return await work(client)
  } finally {
    await client.end().catch(() => {})
  }
}
