import { describe, expect, it } from 'vitest'
import { commands } from '../src/run.js'
import { cliVersion } from '../src/version.js'
import { runCli } from './run-cli.js'

describe('pg-claims', () => {
  it('--help lists every command, the environment and the exit codes', async () => {
    const { code, stdout, stderr } = await runCli(['--help'])
    expect(code).toBe(0)
    expect(stderr).toBe('')
    for (const name of ['sql', 'install', 'token', 'explain', 'lint'])
      expect(stdout).toMatch(new RegExp(`^  ${name} `, 'm'))
    expect(stdout).toContain('DATABASE_URL')
    expect(stdout).toContain('JWT_SECRET')
    for (const exitCode of [0, 1, 2, 3, 4]) expect(stdout).toMatch(new RegExp(`^  ${exitCode}  `, 'm'))
    expect((await runCli(['-h'])).stdout).toBe(stdout)
    expect((await runCli(['help'])).stdout).toBe(stdout)
  })

  it('without arguments prints the help to stderr and exits with 2', async () => {
    const { code, stdout, stderr } = await runCli([])
    expect(code).toBe(2)
    expect(stdout).toBe('')
    expect(stderr).toContain('Usage: pg-claims <command>')
  })

  it('--version prints the package version', async () => {
    const { code, stdout } = await runCli(['--version'])
    expect(code).toBe(0)
    expect(stdout).toBe(`${cliVersion()}\n`)
    expect(stdout).toMatch(/^\d+\.\d+\.\d+/)
  })

  it.each(commands.map((command) => command.name))(
    '%s --help, -h and "help %s" print the command help with its options and exit codes',
    async (name) => {
      const { code, stdout, stderr } = await runCli([name, '--help'])
      expect(code).toBe(0)
      expect(stderr).toBe('')
      expect(stdout).toMatch(new RegExp(`^Usage: pg-claims ${name}`))
      expect(stdout).toContain('Exit codes:')
      expect((await runCli([name, '-h'])).stdout).toBe(stdout)
      expect((await runCli(['help', name])).stdout).toBe(stdout)
    },
  )

  it('an unknown command is a usage error (exit 2)', async () => {
    const { code, stdout, stderr } = await runCli(['frobnicate'])
    expect(code).toBe(2)
    expect(stdout).toBe('')
    expect(stderr).toBe(
      'error USAGE: unknown command "frobnicate"; the commands are sql, install, token, explain, lint\n(see pg-claims --help)\n',
    )
    expect((await runCli(['help', 'frobnicate'])).code).toBe(2)
  })

  it('an unknown option, a missing value or an extra argument is a usage error naming the command', async () => {
    const unknown = await runCli(['sql', '--frobnicate'])
    expect(unknown.code).toBe(2)
    expect(unknown.stderr).toMatch(/^error USAGE: Unknown option '--frobnicate'/)
    expect(unknown.stderr).toContain('(see pg-claims sql --help)')

    const missingValue = await runCli(['sql', '--schema'])
    expect(missingValue.code).toBe(2)
    expect(missingValue.stderr).toMatch(/^error USAGE: Option '--schema <value>' argument missing/)

    const extra = await runCli(['sql', 'extra'])
    expect(extra.code).toBe(2)
    expect(extra.stderr).toMatch(/^error USAGE: unexpected argument "extra"/)
  })
})
