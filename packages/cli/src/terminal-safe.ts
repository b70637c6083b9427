import type { CliIo, TextSink } from './io.js'

// C0 controls but tab and newline, DEL, C1 controls, and the bidirectional formatting characters
// (Trojan Source): each can make a terminal act, or show text other than what is there.
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
const UNSAFE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g

/**
 * Writes every character a terminal could act on as `\uXXXX`: C0 controls (but tab and newline),
 * DEL, C1 controls and bidi overrides. Inside JSON strings the result is still the same JSON.
 *
 * @example
 * ```ts
 * escapeControls('\u001b[31mred') // '\\u001b[31mred'
 * ```
 */
export function escapeControls(text: string): string {
  return text.replace(UNSAFE, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`)
}

/**
 * The same I/O with both outputs passed through {@link escapeControls}, so nothing a token holds
 * reaches the terminal raw, whichever command prints it. A terminal stdout is also kept unescaped
 * as `colourOut`, for output that colours itself and escapes its content.
 *
 * @example
 * ```ts
 * const io = terminalSafeIo({ stdout: process.stdout, stderr: process.stderr, env: process.env })
 * ```
 */
export function terminalSafeIo(io: CliIo): CliIo {
  const safe = (sink: TextSink): TextSink => ({ write: (text) => sink.write(escapeControls(text)) })
  const terminal = 'isTTY' in io.stdout && io.stdout.isTTY === true
  return {
    stdout: safe(io.stdout),
    stderr: safe(io.stderr),
    env: io.env,
    ...(terminal && { colourOut: io.stdout }),
  }
}
