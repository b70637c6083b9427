import { randomBytes } from 'node:crypto'
import type { StartedServer } from './started-server.js'

/** The image {@link startTestcontainersServer} runs. */
export const testcontainersImage = 'postgres:18-alpine'

const defaultHint =
  'Unset PG_CLAIMS_TEST_DB to use the default embedded PostgreSQL (no Docker needed), or set DATABASE_URL to a server you run yourself.'

/**
 * Starts {@link testcontainersImage} with `@testcontainers/postgresql` (an optional dependency,
 * imported only when this runs). Needs a reachable Docker (or compatible) engine.
 *
 * @throws with an explanation when the package is missing or no container engine answers
 */
export async function startTestcontainersServer(): Promise<StartedServer> {
  let testcontainers: typeof import('@testcontainers/postgresql')
  try {
    testcontainers = await import('@testcontainers/postgresql')
  } catch (cause) {
    throw new Error(
      `PG_CLAIMS_TEST_DB=testcontainers needs the optional dependency @testcontainers/postgresql, which could not be loaded. ${defaultHint}`,
      { cause },
    )
  }
  const password = randomBytes(16).toString('hex')
  try {
    const container = await new testcontainers.PostgreSqlContainer(testcontainersImage)
      .withUsername('postgres')
      .withPassword(password)
      .withDatabase('postgres')
      .start()
    return {
      adminUrl: container.getConnectionUri(),
      describe: (version) =>
        `PostgreSQL ${version} in a Testcontainers ${testcontainersImage} container on ${container.getHost()}:${container.getPort()}`,
      stop: async () => {
        await container.stop()
      },
      logs: () => '',
    }
  } catch (cause) {
    const message = cause instanceof Error ? cause.message : String(cause)
    if (/container runtime/i.test(message)) {
      throw new Error(
        `PG_CLAIMS_TEST_DB=testcontainers, but Testcontainers could not reach a Docker engine (${message}). Start Docker, or point DOCKER_HOST at one. ${defaultHint}`,
        { cause },
      )
    }
    throw new Error(`Testcontainers could not start ${testcontainersImage}: ${message}. ${defaultHint}`, {
      cause,
    })
  }
}
