import { signToken, TEST_SECRET } from '@pg-claims/testing'
import { describe, expect, it } from 'vitest'
import { escapeControls } from '../src/terminal-safe.js'
import { runCli } from './run-cli.js'

/** What a terminal would act on: C0 controls but tab and newline, DEL, C1, bidi overrides. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
const UNSAFE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/

const HOSTILE = {
  sub: '\u001b[31mred\u001b[0m',
  csi: '\u009b31m',
  bell: 'ding\u0007',
  cr: 'hidden\roverwritten',
  del: 'x\u007f',
  bidi: 'abc\u202edcba',
  '\u001b]0;title\u0007': 'in a claim name',
}

describe('the CLI never prints token content raw to a terminal', () => {
  it('explain (text) escapes control characters in claims, settings and SQL', async () => {
    const token = await signToken(HOSTILE)
    const { code, stdout, stderr } = await runCli(['explain', token, '--secret', TEST_SECRET])
    expect(stderr).toBe('')
    expect(code).toBe(0)
    expect(stdout).not.toMatch(UNSAFE)
    expect(stdout).toContain('\\u001b[31mred')
    expect(stdout).toContain('\\u009b31m')
  })

  it('explain --json escapes them and stays the same JSON', async () => {
    const token = await signToken(HOSTILE)
    const { code, stdout } = await runCli(['explain', token, '--secret', TEST_SECRET, '--json'])
    expect(code).toBe(0)
    expect(stdout).not.toMatch(UNSAFE)
    expect(JSON.parse(stdout).claims).toMatchObject(HOSTILE)
  })

  it('a refused role is not echoed raw to stderr', async () => {
    const token = await signToken({ sub: 'u1', role: '\u001b[31mevil\u009b2J' })
    const { code, stderr } = await runCli([
      'explain',
      token,
      '--secret',
      TEST_SECRET,
      '--allowed-roles',
      'authenticated',
    ])
    expect(code).toBe(1)
    expect(stderr).toMatch(/^error ROLE_NOT_ALLOWED: /)
    expect(stderr).not.toMatch(UNSAFE)
    expect(stderr).toContain('\\u001b[31mevil\\u009b2J')
  })

  it('usage errors that echo an argument are escaped too', async () => {
    const { stderr } = await runCli(['\u001b[2Jnope'])
    expect(stderr).not.toMatch(UNSAFE)
  })

  it('escapeControls keeps newlines and tabs, and everything printable', () => {
    expect(escapeControls('a\tb\nc ü 日本 🙂')).toBe('a\tb\nc ü 日本 🙂')
    expect(escapeControls('\u001b\r\u0085\u202e')).toBe('\\u001b\\u000d\\u0085\\u202e')
  })
})
