/**
 * Helpers that derive PostgreSQL connection URLs from one another. Every other part of the URL
 * (scheme, query parameters such as `sslmode`) is kept as it is.
 */

/** Returns `url` with its database (the path) replaced by `database`. */
export function withDatabase(url: string, database: string): string {
  const parsed = new URL(url)
  parsed.pathname = `/${encodeURIComponent(database)}`
  return parsed.toString()
}

/** Returns `url` with its user name and password replaced. */
export function withCredentials(url: string, user: string, password: string): string {
  const parsed = new URL(url)
  parsed.username = encodeURIComponent(user)
  parsed.password = encodeURIComponent(password)
  return parsed.toString()
}

/** Returns `url` with its host and port replaced. */
export function withHostAndPort(url: string, host: string, port: number): string {
  const parsed = new URL(url)
  parsed.hostname = host.includes(':') && !host.startsWith('[') ? `[${host}]` : host
  parsed.port = String(port)
  return parsed.toString()
}

/** The host (without IPv6 brackets; `localhost` when absent) and port (5432 when absent) of `url`. */
export function hostAndPortOf(url: string): { host: string; port: number } {
  const parsed = new URL(url)
  const host = parsed.hostname.replace(/^\[(.*)\]$/, '$1') || 'localhost'
  return { host, port: parsed.port === '' ? 5432 : Number(parsed.port) }
}
