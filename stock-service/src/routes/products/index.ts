import { randomUUID } from 'node:crypto'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { Type } from 'typebox'
import {
  Conflict, ErrorBody, Id, ID_PATTERN, IdempotencyKeyHeaders, idempotencyKeyOf, idempotencyKeyReused, NotFound, Text, Unprocessable,
} from '@choreo/platform'
import { findProduct, insertProduct, listProducts, lockProducts, MAX_UNITS, restockProduct } from '../../repositories/products.ts'
import { findRestockByKey, insertRestock } from '../../repositories/restocks.ts'

const DEFAULT_PAGE_SIZE = 50
const MAX_PAGE_SIZE = 200

const Price = Type.Object({
  amount: Type.Integer({ minimum: 1, maximum: 100_000_000, description: 'unit price in minor units' }),
  currency: Type.String({ pattern: '^[A-Z]{3}$', maxLength: 3 }),
}, { additionalProperties: false })

const ProductResponse = Type.Object({
  productId: Type.String({ maxLength: 64 }),
  name: Type.String({ maxLength: 200 }),
  price: Price,
  available: Type.Integer({ minimum: 0, maximum: MAX_UNITS }),
  reserved: Type.Integer({ minimum: 0, maximum: MAX_UNITS }),
}, { additionalProperties: false })

const CreateProduct = Type.Object({
  productId: Type.Optional(Id),
  name: Text(200),
  price: Price,
  quantity: Type.Integer({ minimum: 0, maximum: 1_000_000, description: 'units available to start with' }),
}, { additionalProperties: false })

const Restock = Type.Object({
  quantity: Type.Integer({ minimum: 1, maximum: 1_000_000 }),
}, { additionalProperties: false })

const ProductParams = Type.Object({ productId: Id }, { additionalProperties: false })

const ListQuery = Type.Object({
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_PAGE_SIZE, description: `page size, default ${DEFAULT_PAGE_SIZE}` })),
  cursor: Type.Optional(Type.String({ pattern: ID_PATTERN, maxLength: 64, description: 'nextCursor of the previous page' })),
}, { additionalProperties: false })

const ProductPage = Type.Object({
  items: Type.Array(ProductResponse, { maxItems: MAX_PAGE_SIZE }),
  nextCursor: Type.Union([Type.String({ maxLength: 64 }), Type.Null()]),
}, { additionalProperties: false })

/**
 * The catalogue and its stock levels; none of these emits an event. Any caller with a token may
 * read it, only an admin changes it.
 */
export const productRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.post('/products', {
    config: { access: 'admin' },
    schema: { summary: 'Create a product with its price and initial stock', body: CreateProduct, response: { 201: ProductResponse, 400: ErrorBody, 409: ErrorBody } },
  }, async (request, reply) => {
    const { productId = randomUUID(), name, price, quantity } = request.body
    const product = await insertProduct(app.db, { productId, name, price, available: quantity })
    if (!product) throw new Conflict(`product ${productId} exists already`, 'product-exists')
    return reply.status(201).header('location', `/products/${encodeURIComponent(product.productId)}`).send(product)
  })

  app.get('/products', {
    config: { access: 'authenticated' },
    schema: { summary: 'List products in id order, a page at a time', querystring: ListQuery, response: { 200: ProductPage, 400: ErrorBody } },
  }, async (request) => {
    const limit = request.query.limit ?? DEFAULT_PAGE_SIZE
    // One row more than the page tells whether another page follows.
    const rows = await listProducts(app.db, { limit: limit + 1, after: request.query.cursor })
    const items = rows.slice(0, limit)
    return { items, nextCursor: rows.length > limit ? (items.at(-1)?.productId ?? null) : null }
  })

  app.get('/products/:productId', {
    config: { access: 'authenticated' },
    schema: { summary: 'A product with its stock levels', params: ProductParams, response: { 200: ProductResponse, 400: ErrorBody, 404: ErrorBody } },
  }, async (request) => {
    const product = await findProduct(app.db, request.params.productId)
    if (!product) throw new NotFound('product', request.params.productId, 'productId')
    return product
  })

  app.post('/products/:productId/restock', {
    config: { access: 'admin' },
    schema: {
      summary: 'Add units to what is available, once per Idempotency-Key',
      params: ProductParams,
      headers: IdempotencyKeyHeaders,
      body: Restock,
      response: { 200: ProductResponse, 400: ErrorBody, 404: ErrorBody, 422: ErrorBody },
    },
  }, async (request) => {
    const key = idempotencyKeyOf(request.headers)
    const { productId } = request.params
    const { quantity } = request.body
    return app.db.transaction(async (trx) => {
      // The product's row lock also queues a concurrent retry of this restock behind this one.
      const product = (await lockProducts(trx, [productId])).get(productId)
      if (!product) throw new NotFound('product', productId, 'productId')
      if (!(await insertRestock(trx, { restockId: randomUUID(), idempotencyKey: key, productId, quantity }))) {
        // The key was used before: a retry gets the product as it is now, and nothing is added.
        const earlier = await findRestockByKey(trx, key)
        if (earlier?.productId !== productId || earlier.quantity !== quantity) throw idempotencyKeyReused(key, 'another restock')
        return product
      }
      const result = await restockProduct(trx, productId, quantity)
      // Thrown inside the transaction: the restock row goes with it, so the key stays unused.
      if (result === 'too-many') throw new Unprocessable(`product ${productId} cannot hold more than ${MAX_UNITS} units`, { field: 'quantity', rule: 'max-units' })
      if (result === 'not-found') throw new Error(`product ${productId} vanished under its row lock`)
      return result
    })
  })
}
