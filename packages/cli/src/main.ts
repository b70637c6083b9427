#!/usr/bin/env node
// The `pg-claims` bin: wires the process to run(). Setting exitCode (not calling process.exit)
// lets piped stdout drain before the process ends.
import { run } from './run.js'

process.exitCode = await run(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  env: process.env,
})
