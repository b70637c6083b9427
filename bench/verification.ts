import { generateKeyPairSync } from 'node:crypto'
import { createClaims, createVerifier } from '@pg-claims/core'
import { signToken, TEST_SECRET } from '@pg-claims/testing'
import { createVerifier as createFastJwtVerifier } from 'fast-jwt'
import { opsPerSecond } from './measure.js'
import type { BenchRow } from './report.js'

const pem = (key: { export(options: { type: 'spki'; format: 'pem' }): string | Buffer }) =>
  String(key.export({ type: 'spki', format: 'pem' }))

function algorithms() {
  const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 })
  const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' })
  const ed = generateKeyPairSync('ed25519')
  return [
    { alg: 'HS256', signKey: TEST_SECRET, options: { secret: TEST_SECRET }, fastKey: TEST_SECRET },
    {
      alg: 'RS256',
      signKey: rsa.privateKey,
      options: { publicKey: pem(rsa.publicKey) },
      fastKey: pem(rsa.publicKey),
    },
    {
      alg: 'ES256',
      signKey: ec.privateKey,
      options: { publicKey: pem(ec.publicKey) },
      fastKey: pem(ec.publicKey),
    },
    {
      alg: 'EdDSA',
      signKey: ed.privateKey,
      options: { publicKey: pem(ed.publicKey) },
      fastKey: pem(ed.publicKey),
    },
  ] as const
}

/** Cold verification, cache hit, and fast-jwt's cached verification, per algorithm. */
export async function measureVerification(millis: number, log: (line: string) => void): Promise<BenchRow[]> {
  const rows: BenchRow[] = []
  for (const { alg, signKey, options, fastKey } of algorithms()) {
    const token = await signToken({ sub: 'user1', role: 'authenticated' }, { alg, key: signKey })
    const cold = createVerifier({ ...options, cache: false })
    const cached = createClaims({
      ...options,
      roles: { default: 'anon', allowed: ['anon', 'authenticated'] },
    })
    const fastJwt = createFastJwtVerifier({ key: fastKey, cache: true, algorithms: [alg] })
    fastJwt(token)
    const coldOps = await opsPerSecond(() => cold.verify(token), millis)
    const hitOps = await opsPerSecond(() => cached.resolve(token), millis)
    const fastOps = await opsPerSecond(() => fastJwt(token), millis)
    const section = 'Token verification (per token, µs)'
    const micro = (ops: number) => 1e6 / ops
    log(
      `verify ${alg}: cold ${micro(coldOps).toFixed(1)} µs, hit ${micro(hitOps).toFixed(2)} µs, fast-jwt cached ${micro(fastOps).toFixed(2)} µs`,
    )
    rows.push(
      { section, name: `${alg} cold (jose, cache off)`, unit: 'µs', value: micro(coldOps) },
      {
        section,
        name: `${alg} cache hit (resolve: claims, role and SQL ready)`,
        unit: 'µs',
        value: micro(hitOps),
        reference: { name: 'fast-jwt cached', value: micro(fastOps) },
        ratio: hitOps / fastOps,
        target: { description: 'faster than fast-jwt cached', met: hitOps > fastOps },
      },
    )
  }
  return rows
}

/**
 * Heap after verifying `distinct` different tokens with a cache of `maxEntries`, against the heap
 * after just `maxEntries` tokens: bounded when the two are close. Needs `--expose-gc`.
 */
export async function measureCacheMemory(
  distinct: number,
  maxEntries: number,
  log: (line: string) => void,
): Promise<BenchRow[]> {
  const gc = (globalThis as { gc?: () => void }).gc
  if (gc === undefined) return []
  const claims = createClaims({ secret: TEST_SECRET, cache: { maxEntries } })
  const heap = () => {
    gc()
    gc()
    return process.memoryUsage().heapUsed
  }
  const base = heap()
  let afterBound = 0
  let last = ''
  for (let index = 0; index < distinct; index += 1) {
    last = await signToken({ sub: `user${index}`, role: 'authenticated', padding: 'x'.repeat(200) })
    await claims.resolve(last)
    if (index + 1 === maxEntries) afterBound = heap() - base
  }
  const afterAll = heap() - base
  // use the cache after measuring, so it is alive (and counted) when the heap is read
  if ((await claims.resolve(last)).payload?.sub !== `user${distinct - 1}`)
    throw new Error('the cache lost a token')
  log(
    `cache memory: ${maxEntries} tokens ${(afterBound / 1024).toFixed(0)} KiB, ${distinct} tokens ${(afterAll / 1024).toFixed(0)} KiB`,
  )
  return [
    {
      section: 'Verified-token cache memory',
      name: `heap growth after ${distinct.toLocaleString('en-US')} distinct tokens (maxEntries ${maxEntries})`,
      unit: 'KiB',
      value: afterAll / 1024,
      reference: { name: `after ${maxEntries} tokens`, value: afterBound / 1024 },
      ratio: afterBound / afterAll,
      target: {
        description: 'stays within the bound (≤ 1.25× the heap at maxEntries tokens)',
        met: afterAll <= afterBound * 1.25,
      },
    },
  ]
}
