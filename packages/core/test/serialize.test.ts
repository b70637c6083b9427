import { createClaims, type SkippedClaimReason } from '@pg-claims/core'
import { quoteLiteral } from '@pg-claims/core/adapter'
import { signToken, TEST_SECRET } from '@pg-claims/testing'
import { describe, expect, it } from 'vitest'
import { resolveRoleOptions, roleForClaims } from '../src/serialize/role.js'
import { claimValueText, serializeSettings } from '../src/serialize/settings.js'

describe('serializeSettings', () => {
  it('writes role, the JSON claims, then jwt.claims.<name> per claim, in that order', () => {
    const settings = serializeSettings(
      { sub: 'u1', n: 2, ok: true, o: { a: [1] }, gone: null },
      'authenticated',
      {},
    )
    expect(settings).toEqual([
      ['role', 'authenticated'],
      ['request.jwt.claims', '{"sub":"u1","n":2,"ok":true,"o":{"a":[1]},"gone":null,"role":"authenticated"}'],
      ['jwt.claims.sub', 'u1'],
      ['jwt.claims.n', '2'],
      ['jwt.claims.ok', 'true'],
      ['jwt.claims.o', '{"a":[1]}'],
      ['jwt.claims.role', 'authenticated'],
    ])
  })

  it('writes the effective role over the role claim, as PostgREST does', () => {
    const [, claims] = serializeSettings({ role: 'service_role', app_metadata: { role: 'x' } }, 'x', {})
    expect(JSON.parse(claims![1])).toEqual({ role: 'x', app_metadata: { role: 'x' } })
  })

  it('follows the PostGraphile spec example (seed 004)', () => {
    const settings = serializeSettings({ sub: 'postgraphql', role: 'user', user_id: 2 }, 'user', {})
    expect(settings.filter(([name]) => name.startsWith('jwt.claims.'))).toEqual([
      ['jwt.claims.sub', 'postgraphql'],
      ['jwt.claims.role', 'user'],
      ['jwt.claims.user_id', '2'],
    ])
  })

  it('writes only the effective role for the anonymous caller, so nothing else shows through', () => {
    expect(serializeSettings(null, 'anon', {})).toEqual([
      ['role', 'anon'],
      ['request.jwt.claims', '{"role":"anon"}'],
      ['jwt.claims.role', 'anon'],
    ])
  })

  it('writes empty claims for a caller without claims when role switching is off', () => {
    expect(serializeSettings(null, null, {})).toEqual([['request.jwt.claims', '']])
  })

  it('leaves out claim names PostgreSQL rejects, keeps them in the JSON, and reports them', () => {
    const skipped: Array<[string, SkippedClaimReason]> = []
    const long = 'x'.repeat(53)
    const claims = {
      'foo-bar': 1,
      'https://example.com/roles': ['admin'],
      'a.b': 1,
      é: 1,
      [long]: 1,
      ['x'.repeat(52)]: 1,
      Sub: 'A',
      sub: 'a',
      fine: 'yes',
    }
    const settings = serializeSettings(claims, null, {
      onSkippedClaim: (name, reason) => skipped.push([name, reason]),
    })
    expect(settings.map(([name]) => name)).toEqual([
      'request.jwt.claims',
      `jwt.claims.${'x'.repeat(52)}`,
      'jwt.claims.fine',
    ])
    expect(JSON.parse(settings[0]![1])).toEqual(claims)
    expect(skipped).toEqual([
      ['foo-bar', 'invalid-name'],
      ['https://example.com/roles', 'invalid-name'],
      ['a.b', 'invalid-name'],
      ['é', 'invalid-name'],
      [long, 'too-long'],
      ['Sub', 'case-collision'],
      ['sub', 'case-collision'],
    ])
  })

  it('writes the legacy request.jwt.claim.<name> family only when asked', () => {
    const settings = serializeSettings({ sub: 'u1' }, null, { jwtClaims: false, requestJwtClaim: true })
    expect(settings).toEqual([
      ['request.jwt.claims', '{"sub":"u1"}'],
      ['request.jwt.claim.sub', 'u1'],
    ])
  })

  it('adds extra settings and refuses names it writes itself or PostgreSQL would reject', () => {
    const extra = (names: Record<string, string>) => () => names
    expect(
      serializeSettings({ t: 1 }, null, { jwtClaims: false, extra: extra({ 'app.tenant': '1' }) }).at(-1),
    ).toEqual(['app.tenant', '1'])
    for (const name of [
      'role',
      'work_mem',
      'request.jwt.claims',
      'request.headers',
      'JWT.claims.sub',
      'app.bad-name',
      `a.${'b'.repeat(70)}`,
    ]) {
      expect(() => serializeSettings({}, 'anon', { extra: extra({ [name]: 'x' }) }), name).toThrow(
        expect.objectContaining({ code: 'SETTING_INVALID' }),
      )
    }
  })

  it.each([
    ['a NUL in a value', { sub: 'a\u0000b' }],
    ['a NUL in a nested name', { o: { 'a\u0000': 1 } }],
    ['a lone surrogate', { sub: 'a\ud800' }],
    ['NaN', { n: Number.NaN }],
    ['a Date', { d: new Date() }],
    ['undefined', { u: undefined }],
    ['nesting deeper than 64', { deep: JSON.parse(`${'['.repeat(70)}${']'.repeat(70)}`) }],
  ])('refuses %s with VALUE_NOT_STORABLE instead of changing it', (_name, claims) => {
    expect(() => serializeSettings(claims, null, {})).toThrow(
      expect.objectContaining({ code: 'VALUE_NOT_STORABLE' }),
    )
  })

  it('converts claim values the PostGraphile way', () => {
    expect([
      claimValueText('s'),
      claimValueText(1.5),
      claimValueText(false),
      claimValueText([1]),
      claimValueText(null),
    ]).toEqual(['s', '1.5', 'false', '[1]', undefined])
  })
})

describe('roles', () => {
  const roles = resolveRoleOptions({
    claim: 'app_metadata.role',
    default: 'anon',
    allowed: ['anon', 'authenticated'],
  })

  it('reads the role from a claim path', () => {
    expect(roleForClaims({ app_metadata: { role: 'authenticated' } }, roles)).toBe('authenticated')
  })

  it('falls back to the default role without a role claim or a token', () => {
    expect(roleForClaims({ sub: 'u1' }, roles)).toBe('anon')
    expect(roleForClaims(null, roles)).toBe('anon')
  })

  it.each([
    ['a role outside the allow-list', { app_metadata: { role: 'postgres' } }, 'ROLE_NOT_ALLOWED'],
    ['a role claim that is an array', { app_metadata: { role: ['authenticated'] } }, 'CLAIM_INVALID'],
    ['a role claim that is a number', { app_metadata: { role: 1 } }, 'CLAIM_INVALID'],
    ['an empty role claim', { app_metadata: { role: '' } }, 'CLAIM_INVALID'],
  ])('refuses %s', (_name, claims, code) => {
    expect(() => roleForClaims(claims, roles)).toThrow(expect.objectContaining({ code }))
  })

  it('needs a default role for a caller without a role claim or token (like PGRST302)', () => {
    const strict = resolveRoleOptions({ allowed: ['authenticated'] })
    expect(() => roleForClaims({ sub: 'u1' }, strict)).toThrow(
      expect.objectContaining({ code: 'ROLE_MISSING' }),
    )
    expect(() => roleForClaims(null, strict)).toThrow(expect.objectContaining({ code: 'TOKEN_MISSING' }))
  })

  it('accepts a predicate as the allow-list', () => {
    const tenants = resolveRoleOptions({ allowed: (role) => role.startsWith('tenant_') })
    expect(roleForClaims({ role: 'tenant_7' }, tenants)).toBe('tenant_7')
    expect(() => roleForClaims({ role: 'postgres' }, tenants)).toThrow(
      expect.objectContaining({ code: 'ROLE_NOT_ALLOWED' }),
    )
  })

  it('refuses inconsistent role options at startup', () => {
    expect(() => resolveRoleOptions({ default: 'admin', allowed: ['anon'] })).toThrow(/not in roles.allowed/)
    expect(() => resolveRoleOptions({} as never)).toThrow(/roles.allowed is required/)
  })
})

describe('createClaims', () => {
  const options = {
    secret: TEST_SECRET,
    roles: { default: 'anon', allowed: ['anon', 'authenticated'] },
  } as const

  it('turns a token into the settings SQL, escaping through quoteLiteral', async () => {
    const context = await createClaims(options).resolve(
      await signToken({ sub: "o'brien", role: 'authenticated' }),
    )
    expect(context.role).toBe('authenticated')
    expect(context.settingsSql).toContain(`set_config('jwt.claims.sub', ${quoteLiteral("o'brien")}, true)`)
  })

  it('refuses the anonymous caller when there is no default role', async () => {
    const claims = createClaims({ secret: TEST_SECRET, roles: { allowed: ['authenticated'] } })
    await expect(claims.resolve(null)).rejects.toMatchObject({ code: 'TOKEN_MISSING', status: 401 })
  })

  it('accepts claims verified elsewhere only through resolveVerified, and copies them', () => {
    const claims = createClaims(options)
    const verified = { sub: 'u1', role: 'authenticated' }
    const context = claims.resolveVerified(verified)
    expect(context.role).toBe('authenticated')
    expect(Object.isFrozen(verified)).toBe(false)
    expect(() => claims.resolveVerified('eyJ...' as never)).toThrow(
      expect.objectContaining({ code: 'CLAIM_INVALID' }),
    )
    for (const bad of [
      { sub: 'u1', f: () => 1 },
      { sub: 'u1', d: new Date() },
      { sub: 'u1', n: 10n },
    ]) {
      expect(() => claims.resolveVerified(bad as never)).toThrow(
        expect.objectContaining({ code: 'VALUE_NOT_STORABLE' }),
      )
    }
  })
})

describe('quoteLiteral', () => {
  it.each([
    ['plain', "'plain'"],
    ["it's", "'it''s'"],
    ['a\\b', "pg_catalog.convert_from(pg_catalog.decode('615c62', 'hex'), 'UTF8')"],
    ["\\'", "pg_catalog.convert_from(pg_catalog.decode('5c27', 'hex'), 'UTF8')"],
    ['é', "pg_catalog.convert_from(pg_catalog.decode('c3a9', 'hex'), 'UTF8')"],
    ['tab\there', "pg_catalog.convert_from(pg_catalog.decode('7461620968657265', 'hex'), 'UTF8')"],
    ['$$; drop table x; $$', "'$$; drop table x; $$'"],
  ])('quotes %j', (value, expected) => {
    expect(quoteLiteral(value)).toBe(expected)
  })

  it('refuses NUL and lone surrogates', () => {
    expect(() => quoteLiteral('\u0000')).toThrow(expect.objectContaining({ code: 'VALUE_NOT_STORABLE' }))
    expect(() => quoteLiteral('\udc00')).toThrow(expect.objectContaining({ code: 'VALUE_NOT_STORABLE' }))
  })
})
