/**
 * Prisma clients seen without their generated types. Prisma's client-extension API gives an
 * extension the user's client only as an opaque `this`; everything pg-claims calls on it is listed
 * here, and {@link asDynamicClient} is the one place where that client is given this shape.
 */

/** The options of Prisma's interactive `$transaction`. */
export interface PrismaTransactionOptions {
  readonly maxWait?: number
  readonly timeout?: number
  readonly isolationLevel?: string
}

/** A Prisma promise: lazy, runs when awaited. */
export type PrismaOperation = Promise<unknown>

type Operation = (...args: unknown[]) => PrismaOperation

/** The members of a Prisma client (or transaction client) pg-claims uses. */
export interface DynamicClient {
  $transaction<T>(fn: (tx: DynamicClient) => Promise<T>, options?: PrismaTransactionOptions): Promise<T>
  $executeRawUnsafe(sql: string): PrismaOperation
  $extends(extension: { query: { $allOperations(params: OperationParams): Promise<unknown> } }): DynamicClient
  readonly [member: string]: unknown
}

/** What a query extension's `$allOperations` receives (the members pg-claims reads). */
export interface OperationParams {
  /** The model (`'Note'`), or `undefined` for raw queries. */
  readonly model?: string | undefined
  /** The operation: `findMany`, `create`, `$queryRaw`, `$executeRawUnsafe`, … */
  readonly operation: string
  /** The arguments: the operation's object, a `Sql` for `$queryRaw`, an array for `…Unsafe`. */
  readonly args: unknown
}

/**
 * Gives a Prisma client the {@link DynamicClient} shape. Prisma types its clients per generated
 * schema, which a library cannot name; this is the only cast between the two views.
 */
export function asDynamicClient(client: unknown): DynamicClient {
  return client as DynamicClient
}

/**
 * Runs one operation, described as a query extension sees it, on `client` (a transaction client):
 * `client.Note.findMany(args)`, `client.$queryRaw(sql)`, `client.$queryRawUnsafe(text, ...values)`.
 */
export function runOperation(
  client: DynamicClient,
  { model, operation, args }: OperationParams,
): PrismaOperation {
  const target = model === undefined ? client : client[model]
  const method: unknown =
    typeof target === 'object' && target !== null ? Reflect.get(target, operation) : undefined
  if (typeof method !== 'function') {
    throw new TypeError(
      `pg-claims cannot run ${model === undefined ? '' : `${model}.`}${operation} on a Prisma client`,
    )
  }
  const call = method as Operation
  const list = operation.endsWith('Unsafe') && Array.isArray(args) ? args : [args]
  return Reflect.apply(call, target, list)
}
