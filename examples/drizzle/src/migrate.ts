import { fileURLToPath } from 'node:url'
import { drizzle } from 'drizzle-orm/node-postgres'
import { migrate } from 'drizzle-orm/node-postgres/migrator'
import pg from 'pg'

/** The migrations drizzle-kit generated from src/schema.ts, after the SQL helpers (see the README). */
export const migrationsFolder = fileURLToPath(new URL('../drizzle', import.meta.url))

/** Applies `folder` (default: this example's migrations) as the admin role, with Drizzle's migrator. */
export async function applyMigrations(adminUrl: string, folder: string = migrationsFolder): Promise<void> {
  const admin = new pg.Client({ connectionString: adminUrl })
  await admin.connect()
  try {
    await migrate(drizzle(admin), { migrationsFolder: folder })
  } finally {
    await admin.end()
  }
}
