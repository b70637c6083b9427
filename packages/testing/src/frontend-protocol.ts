/**
 * A streaming reader of the PostgreSQL frontend (client → server) protocol that reports each
 * message's type without buffering message bodies, so it costs the same for a 1 MB Bind as for a
 * Sync. See https://www.postgresql.org/docs/current/protocol-message-formats.html.
 */

/** Request codes that can take the place of a protocol version in an untyped startup packet. */
const cancelRequestCode = 80877102
const sslRequestCode = 80877103
const gssEncRequestCode = 80877104

/** First byte of a TLS handshake record: a client using `sslnegotiation=direct` starts with it. */
const tlsHandshakeByte = 0x16

/** Type byte of the simple `Query` message. */
export const queryMessageType = 0x51 // 'Q'
/** Type byte of the extended-protocol `Sync` message. */
export const syncMessageType = 0x53 // 'S'

type State =
  /** Expecting an untyped packet: StartupMessage, SSLRequest, GSSENCRequest or CancelRequest. */
  | 'startup'
  /** Sent SSLRequest/GSSENCRequest; the server's one-byte answer decides what follows. */
  | 'negotiating'
  /** Expecting typed messages: one type byte, then an int32 length that counts itself. */
  | 'messages'
  /** Encrypted, cancelled or malformed: nothing more can be read. */
  | 'opaque'

/**
 * Follows one connection's client → server byte stream, chunk by chunk, and calls `onMessage`
 * with the type byte of every typed message as soon as its header is complete. Messages may be split
 * across chunks and one chunk may hold many.
 */
export class FrontendMessageReader {
  readonly #onMessage: (type: number) => void
  #state: State = 'startup'
  /** Header bytes of the packet being read: 8 for an untyped packet, 5 for a typed message. */
  readonly #header = Buffer.alloc(8)
  #headerLength = 0
  /** Bytes of the current packet's body still to pass over. */
  #remaining = 0

  constructor(onMessage: (type: number) => void) {
    this.#onMessage = onMessage
  }

  /** Whether the stream became unreadable (TLS or GSS encryption, a cancel request, bad framing). */
  get opaque(): boolean {
    return this.#state === 'opaque'
  }

  /** Whether the reader waits for the server's answer to SSLRequest or GSSENCRequest. */
  get negotiating(): boolean {
    return this.#state === 'negotiating'
  }

  /** Reads the next chunk the client sent. */
  push(chunk: Uint8Array): void {
    let offset = 0
    while (offset < chunk.length) {
      if (this.#state === 'opaque') return
      if (this.#state === 'negotiating') {
        // The client must wait for the answer; anything else means we lost track.
        this.#state = 'opaque'
        return
      }
      if (this.#remaining > 0) {
        const skipped = Math.min(this.#remaining, chunk.length - offset)
        this.#remaining -= skipped
        offset += skipped
        continue
      }
      if (this.#state === 'startup' && this.#headerLength === 0 && chunk[offset] === tlsHandshakeByte) {
        this.#state = 'opaque'
        return
      }
      const headerSize = this.#state === 'startup' ? 8 : 5
      const copied = Math.min(headerSize - this.#headerLength, chunk.length - offset)
      this.#header.set(chunk.subarray(offset, offset + copied), this.#headerLength)
      this.#headerLength += copied
      offset += copied
      if (this.#headerLength < headerSize) return
      this.#headerLength = 0
      if (this.#state === 'startup') this.#readStartupHeader()
      else this.#readMessageHeader()
    }
  }

  /**
   * Reads the first byte the server sent after SSLRequest/GSSENCRequest: `'N'` means the client goes
   * on in plain text (with another request or the startup message), anything else that the
   * connection is now encrypted.
   */
  serverAnswered(firstByte: number): void {
    if (this.#state !== 'negotiating') return
    this.#state = firstByte === 0x4e /* 'N' */ ? 'startup' : 'opaque'
  }

  #readStartupHeader(): void {
    const length = this.#header.readInt32BE(0)
    const code = this.#header.readInt32BE(4)
    if (length < 8) {
      this.#state = 'opaque'
      return
    }
    this.#remaining = length - 8
    if (code === sslRequestCode || code === gssEncRequestCode) this.#state = 'negotiating'
    else if (code === cancelRequestCode) this.#state = 'opaque'
    else this.#state = 'messages'
  }

  #readMessageHeader(): void {
    const type = this.#header[0]!
    const length = this.#header.readInt32BE(1)
    if (length < 4) {
      this.#state = 'opaque'
      return
    }
    this.#remaining = length - 4
    this.#onMessage(type)
  }
}
