import { readFileSync } from 'node:fs'
import { ERROR_CODES } from '@pg-claims/core'
import { describe, expect, it } from 'vitest'

describe('README', () => {
  const readme = readFileSync(new URL('../../../README.md', import.meta.url), 'utf8')

  it('documents every error code with its status and description, and no other', () => {
    const rows = [...readme.matchAll(/^\| `([A-Z_]+)` \| (\d{3}) \| (.+) \|$/gm)].map(
      ([, code, status, text]) => [code, Number(status), text],
    )
    expect(rows).toEqual(
      Object.entries(ERROR_CODES).map(([code, { status, description }]) => [code, status, description]),
    )
  })

  it('shows the install and test commands that .ci/run runs', () => {
    expect(readme).toContain('npm install && npm run demo')
    expect(readme).toContain('npm test')
    const ci = readFileSync(new URL('../../../.ci/run', import.meta.url), 'utf8')
    expect(ci).toMatch(/^npm install /m)
    expect(ci).toMatch(/^npm run demo$/m)
    expect(ci).toMatch(/npm test -- /)
    expect(ci).toMatch(/^npm run test:matrix/m)
    expect(ci).toMatch(/^npx pg-claims --help/m)
  })
})
