import { hostAndPortOf } from './connection-url.js'
import type { StartedServer } from './started-server.js'

/**
 * Uses the server at `databaseUrl` (from `DATABASE_URL`) as it is; nothing is started or stopped.
 * The URL's role must be allowed to CREATE DATABASE and CREATE ROLE.
 */
export function useExternalServer(databaseUrl: string): StartedServer {
  const { host, port } = hostAndPortOf(databaseUrl)
  return {
    adminUrl: databaseUrl,
    describe: (version) => `PostgreSQL ${version} from DATABASE_URL at ${host}:${port}`,
    stop: async () => {},
    logs: () => '',
  }
}
