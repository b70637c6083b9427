import { describe, expect, it } from 'vitest'
import { FrontendMessageReader } from '../src/frontend-protocol.js'

/** An untyped packet: int32 length (counting itself), int32 code, body. */
function untyped(code: number, body = Buffer.alloc(0)): Buffer {
  const header = Buffer.alloc(8)
  header.writeInt32BE(8 + body.length, 0)
  header.writeInt32BE(code, 4)
  return Buffer.concat([header, body])
}

/** A typed message: type byte, int32 length (counting itself, not the type), body. */
function message(type: string, body: Buffer | string = ''): Buffer {
  const bytes = typeof body === 'string' ? Buffer.from(body) : body
  const header = Buffer.alloc(5)
  header.write(type, 0, 'latin1')
  header.writeInt32BE(4 + bytes.length, 1)
  return Buffer.concat([header, bytes])
}

const startup = untyped(196608, Buffer.from('user\0authenticator\0database\0app\0\0'))
const sslRequest = untyped(80877103)
const stream = Buffer.concat([
  startup,
  message('p', 'SCRAM-SHA-256\0...'),
  message('Q', 'BEGIN; SELECT 1\0'),
  message('P', '\0select $1\0\0\0'),
  message('B', Buffer.alloc(70_000, 0x51)), // a body full of 'Q' bytes must not be mistaken for messages
  message('D', 'P\0'),
  message('E', '\0\0\0\0\0'),
  message('S'),
  message('Q', 'COMMIT\0'),
  message('X'),
])
const expected = ['p', 'Q', 'P', 'B', 'D', 'E', 'S', 'Q', 'X']

/** The type of every message the reader reports, in order. */
function read(chunks: Iterable<Buffer>): string[] {
  const types: string[] = []
  const reader = new FrontendMessageReader((type) => types.push(String.fromCharCode(type)))
  for (const chunk of chunks) reader.push(chunk)
  return types
}

function* splitEvery(bytes: Buffer, size: number): Generator<Buffer> {
  for (let offset = 0; offset < bytes.length; offset += size) yield bytes.subarray(offset, offset + size)
}

function* splitRandomly(bytes: Buffer, seed: number): Generator<Buffer> {
  let state = seed
  let offset = 0
  while (offset < bytes.length) {
    state = (state * 1103515245 + 12345) % 2 ** 31
    const size = 1 + (state % 9000)
    yield bytes.subarray(offset, offset + size)
    offset += size
  }
}

describe('FrontendMessageReader', () => {
  it('reads the startup packet, then typed messages, from one chunk', () => {
    expect(read([stream])).toEqual(expected)
  })

  it('reads messages split across chunks, down to one byte per chunk', () => {
    expect(read(splitEvery(stream, 1))).toEqual(expected)
    expect(read(splitEvery(stream, 3))).toEqual(expected)
    expect(read(splitEvery(stream, 4096))).toEqual(expected)
    for (const seed of [1, 2, 3, 42]) expect(read(splitRandomly(stream, seed))).toEqual(expected)
  })

  it('goes on in plain text after SSLRequest when the server answers N', () => {
    const types: string[] = []
    const reader = new FrontendMessageReader((type) => types.push(String.fromCharCode(type)))
    reader.push(sslRequest)
    expect(reader.negotiating).toBe(true)
    reader.serverAnswered('N'.charCodeAt(0))
    for (const chunk of splitEvery(stream, 7)) reader.push(chunk)
    expect(types).toEqual(expected)
  })

  it('stops reading when the server accepts SSL', () => {
    const types: string[] = []
    const reader = new FrontendMessageReader((type) => types.push(String.fromCharCode(type)))
    reader.push(sslRequest)
    reader.serverAnswered('S'.charCodeAt(0))
    reader.push(Buffer.from([0x16, 0x03, 0x01, 0x02, 0x00]))
    reader.push(message('Q', 'select 1\0'))
    expect(reader.opaque).toBe(true)
    expect(types).toEqual([])
  })

  it('stops reading on direct TLS and on a cancel request', () => {
    const direct = new FrontendMessageReader(() => {})
    direct.push(Buffer.from([0x16, 0x03, 0x01, 0x02, 0x00, 0x01]))
    expect(direct.opaque).toBe(true)
    const cancel = new FrontendMessageReader(() => {})
    cancel.push(untyped(80877102, Buffer.alloc(8)))
    expect(cancel.opaque).toBe(true)
  })
})
