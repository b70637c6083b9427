import { generateKeyPairSync } from 'node:crypto'
import { createClaims } from '@pg-claims/core'
import { TEST_SECRET } from '@pg-claims/testing'
import { describe, expect, it } from 'vitest'

const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' })
const pem = String(publicKey.export({ type: 'spki', format: 'pem' }))
const jwk = JSON.stringify(publicKey.export({ format: 'jwk' }))

describe('a secret must be a secret (HMAC keys)', () => {
  it.each([
    ['a PEM public key', pem, /secret is a PEM key/],
    ['a PEM with leading whitespace', `\n  ${pem}`, /secret is a PEM key/],
    ['a JWK public key as JSON', jwk, /secret is a JWK/],
    ['a JWK as bytes', new TextEncoder().encode(jwk), /secret is a JWK/],
    ['one character repeated', 'a'.repeat(64), /too little variety/],
    ['a short word repeated', 'changeme-'.repeat(6), /too little variety/],
    ['seven distinct bytes', 'secretsecretsecretsecretsecret12', /too little variety/],
    ['32 zero bytes', new Uint8Array(32), /too little variety/],
  ])('refuses %s with CONFIG_INVALID at createClaims', (_name, secret, message) => {
    expect(() => createClaims({ secret })).toThrow(
      expect.objectContaining({ code: 'CONFIG_INVALID', message: expect.stringMatching(message) }),
    )
  })

  it('accepts the test secret and random bytes', () => {
    expect(() => createClaims({ secret: TEST_SECRET })).not.toThrow()
    expect(() => createClaims({ secret: crypto.getRandomValues(new Uint8Array(32)) })).not.toThrow()
    expect(() =>
      createClaims({ secret: Buffer.from(crypto.getRandomValues(new Uint8Array(48))).toString('base64') }),
    ).not.toThrow()
  })
})
