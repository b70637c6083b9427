/** A PostgreSQL server the global setup can use, however it came to be. */
export interface StartedServer {
  /** URL of a role allowed to CREATE DATABASE and CREATE ROLE, at the maintenance database. */
  adminUrl: string
  /** One-line description for the banner, given the server's `server_version`. */
  describe(serverVersionText: string): string
  /** Stops the server if the setup started it, and removes what it created on disk. */
  stop(): Promise<void>
  /** Restarts the server (fast shutdown, then start), where the setup owns it: the embedded server. */
  restart?: () => Promise<void>
  /** Server output collected so far (empty when not available), to print when something fails. */
  logs(): string
}
