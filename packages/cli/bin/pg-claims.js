#!/usr/bin/env node
// The file npm links as `pg-claims` when it installs: it exists before the build does, so the link
// is made on a fresh clone. The CLI itself is compiled to dist/ by `npm run build`.
import('../dist/main.js').catch((error) => {
  if (error?.code === 'ERR_MODULE_NOT_FOUND' && String(error.message).includes('dist/main.js')) {
    console.error('pg-claims is not built yet: run `npm run build` at the repository root')
    process.exitCode = 4
    return
  }
  throw error
})
