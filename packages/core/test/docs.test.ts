import { readFileSync } from 'node:fs'
import { ERROR_CODES } from '@pg-claims/core'
import { describe, expect, it } from 'vitest'

/** The text of the `## heading` section of a markdown document, up to the next `## `. */
function section(markdown: string, heading: string): string {
  const start = markdown.indexOf(`\n## ${heading}\n`)
  if (start === -1) return `(no section ${heading})`
  const end = markdown.indexOf('\n## ', start + 1)
  return markdown.slice(start, end === -1 ? undefined : end).trimEnd()
}

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

  it('is carried by the core README, which the registry shows: setup, options, helpers, security, errors', () => {
    const core = readFileSync(new URL('../README.md', import.meta.url), 'utf8')
    for (const heading of ['Database setup', 'Options', 'SQL helpers', 'Security model', 'Errors']) {
      expect(section(core, heading), heading).toBe(section(readme, heading))
    }
  })

  it('shows the install and test commands that .ci/run runs', () => {
    expect(readme).toContain('npm install && npm run demo')
    expect(readme).toContain('npm test')
    const ci = readFileSync(new URL('../../../.ci/run', import.meta.url), 'utf8')
    expect(ci).toMatch(/^npm install /m)
    expect(ci).toMatch(/^npm run demo$/m)
    expect(ci).toMatch(/npm test -- /)
    expect(ci).toMatch(/^npm run test:matrix/m)
    expect(readme).toContain('npm run test:pack')
    expect(ci).toMatch(/^npm run test:pack /m)
    expect(ci).toMatch(/^npx pg-claims --help/m)
  })
})
