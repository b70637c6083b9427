/**
 * A function call found in a deparsed policy expression.
 *
 * @example
 * ```ts
 * const call: ExpressionCall = { schema: 'auth', name: 'user_id', inSubSelect: false }
 * ```
 */
export interface ExpressionCall {
  /** The schema it is qualified with; `undefined` when unqualified (`pg_catalog`, with lint's search path). */
  readonly schema: string | undefined
  readonly name: string
  /** It stands inside a `( SELECT … )` sub-select, which PostgreSQL runs once as an InitPlan. */
  readonly inSubSelect: boolean
  /** Where the call (name to closing parenthesis) starts and ends in the expression text. */
  readonly start: number
  readonly end: number
}

type Token = (
  | { readonly kind: 'identifier'; readonly text: string; readonly quoted: boolean }
  | { readonly kind: 'punctuation'; readonly text: string }
  | { readonly kind: 'literal' }
) & { readonly start: number; readonly end: number }

/**
 * Lists the function calls of an expression as `pg_get_expr` deparses it, and whether each is
 * inside a sub-select. It tokenizes the text (string literals, quoted identifiers and comments
 * cannot fake a call) and tracks the parentheses: a call counts as wrapped when some enclosing
 * parenthesis opens a `SELECT`.
 *
 * @example
 * ```ts
 * expressionCalls('(owner = auth.user_id())')
 * // [{ schema: 'auth', name: 'user_id', inSubSelect: false, start: 9, end: 23 }]
 * expressionCalls('(owner = ( SELECT auth.user_id() AS user_id))')
 * // [{ schema: 'auth', name: 'user_id', inSubSelect: true, start: 18, end: 32 }]
 * ```
 */
export function expressionCalls(expression: string): ExpressionCall[] {
  const tokens = tokenize(expression)
  const calls: ExpressionCall[] = []
  const parentheses: boolean[] = [] // for each open parenthesis: does it open a sub-select?
  for (let index = 0; index < tokens.length; index++) {
    const token = tokens[index]!
    if (token.kind === 'punctuation' && token.text === '(') {
      const next = tokens[index + 1]
      parentheses.push(next?.kind === 'identifier' && !next.quoted && /^(select|with)$/i.test(next.text))
      continue
    }
    if (token.kind === 'punctuation' && token.text === ')') {
      parentheses.pop()
      continue
    }
    if (token.kind !== 'identifier') continue
    // a name, maybe qualified: identifier (. identifier)*, then "(" makes it a call
    const parts = [token]
    let end = index
    while (isPunctuation(tokens[end + 1], '.') && tokens[end + 2]?.kind === 'identifier') {
      parts.push(tokens[end + 2] as Extract<Token, { kind: 'identifier' }>)
      end += 2
    }
    index = end
    if (!isPunctuation(tokens[end + 1], '(')) continue
    if (parts.length === 1 && !token.quoted && KEYWORDS.has(token.text.toLowerCase())) continue // OR (…)
    const names = parts.map((part) => (part.quoted ? part.text : part.text.toLowerCase()))
    calls.push({
      schema: names.length > 1 ? names[names.length - 2] : undefined,
      name: names[names.length - 1]!,
      inSubSelect: parentheses.includes(true),
      start: token.start,
      end: closingParenthesis(tokens, end + 1)?.end ?? expression.length,
    })
  }
  return calls
}

/**
 * Rewrites an expression so each of `calls` stands in its own `(select …)`; a call inside another
 * one being wrapped is left as it is.
 *
 * @example
 * ```ts
 * const expression = '(owner = auth.user_id())'
 * wrapCalls(expression, expressionCalls(expression)) // '(owner = (select auth.user_id()))'
 * ```
 */
export function wrapCalls(expression: string, calls: readonly ExpressionCall[]): string {
  const outermost = calls.filter(
    (call) => !calls.some((other) => other !== call && other.start <= call.start && call.end <= other.end),
  )
  let text = expression
  for (const call of [...outermost].sort((a, b) => b.start - a.start)) {
    text = `${text.slice(0, call.start)}(select ${text.slice(call.start, call.end)})${text.slice(call.end)}`
  }
  return text
}

/** The ")" matching the "(" at `open`. */
function closingParenthesis(tokens: readonly Token[], open: number): Token | undefined {
  let depth = 0
  for (let index = open; index < tokens.length; index++) {
    if (isPunctuation(tokens[index], '(')) depth++
    if (isPunctuation(tokens[index], ')') && --depth === 0) return tokens[index]
  }
  return undefined
}

function isPunctuation(token: Token | undefined, text: string): boolean {
  return token?.kind === 'punctuation' && token.text === text
}

/** Keywords a deparsed expression puts before a parenthesis without calling anything. */
const KEYWORDS = new Set(
  'all and any array as between case else exists from ilike in is like not on or row select similar some then values when where'.split(
    ' ',
  ),
)

const IDENTIFIER_START = /[\p{L}_]/u
const IDENTIFIER_PART = /[\p{L}\p{N}_$]/u

function tokenize(text: string): Token[] {
  const tokens: Token[] = []
  let at = 0
  while (at < text.length) {
    const char = text[at]!
    if (/\s/.test(char)) {
      at++
    } else if (text.startsWith('--', at)) {
      at = text.indexOf('\n', at) === -1 ? text.length : text.indexOf('\n', at)
    } else if (text.startsWith('/*', at)) {
      const close = text.indexOf('*/', at + 2)
      at = close === -1 ? text.length : close + 2
    } else if (char === "'") {
      const end = endOfQuoted(text, at, "'", false)
      tokens.push({ kind: 'literal', start: at, end })
      at = end
    } else if ((char === 'E' || char === 'e') && text[at + 1] === "'" && !continuesIdentifier(text, at)) {
      const end = endOfQuoted(text, at + 1, "'", true)
      tokens.push({ kind: 'literal', start: at, end })
      at = end
    } else if (char === '"') {
      const end = endOfQuoted(text, at, '"', false)
      const name = text.slice(at + 1, end - 1).replaceAll('""', '"')
      tokens.push({ kind: 'identifier', text: name, quoted: true, start: at, end })
      at = end
    } else if (char === '$' && /^\$([A-Za-z_][A-Za-z0-9_]*)?\$/.test(text.slice(at))) {
      const tag = /^\$([A-Za-z_][A-Za-z0-9_]*)?\$/.exec(text.slice(at))![0]
      const close = text.indexOf(tag, at + tag.length)
      const end = close === -1 ? text.length : close + tag.length
      tokens.push({ kind: 'literal', start: at, end })
      at = end
    } else if (IDENTIFIER_START.test(char)) {
      let end = at + 1
      while (end < text.length && IDENTIFIER_PART.test(text[end]!)) end++
      tokens.push({ kind: 'identifier', text: text.slice(at, end), quoted: false, start: at, end })
      at = end
    } else if (/[0-9]/.test(char)) {
      let end = at + 1
      while (end < text.length && /[0-9.eE]/.test(text[end]!)) end++
      tokens.push({ kind: 'literal', start: at, end })
      at = end
    } else {
      tokens.push({ kind: 'punctuation', text: char, start: at, end: at + 1 })
      at++
    }
  }
  return tokens
}

/** Is the character at `at` the continuation of an identifier (so `E'` is not an escape string)? */
function continuesIdentifier(text: string, at: number): boolean {
  return at > 0 && IDENTIFIER_PART.test(text[at - 1]!)
}

/** The index after the closing quote of the quoted text starting at `at`; doubled quotes stay inside. */
function endOfQuoted(text: string, at: number, quote: string, backslashEscapes: boolean): number {
  let index = at + 1
  while (index < text.length) {
    const char = text[index]!
    if (backslashEscapes && char === '\\') {
      index += 2
    } else if (char === quote) {
      if (text[index + 1] !== quote) return index + 1
      index += 2
    } else {
      index++
    }
  }
  return text.length
}
