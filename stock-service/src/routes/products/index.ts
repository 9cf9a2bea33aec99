// stock-service's catalogue routes: validate, call the command or query, map its result to HTTP.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { ErrorBody, IdempotencyKeyHeaders, idempotencyKeyOf, NotFound } from '@choreo/platform'
import { findProduct } from '../../repositories/products.ts'
import { createProduct } from './create.ts'
import { restock } from './restock.ts'
import { CreateProduct, DEFAULT_PAGE_SIZE, ListQuery, ProductPage, ProductParams, ProductResponse, Restock } from './schemas.ts'
import { productPage } from './view.ts'

/**
 * The catalogue and its stock levels; none of these emits an event. Any caller with a token may
 * read it, only an admin changes it.
 */
export const productRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.post('/products', {
    config: { access: 'admin' },
    schema: { summary: 'Create a product with its price and initial stock', body: CreateProduct, response: { 201: ProductResponse, 400: ErrorBody, 409: ErrorBody } },
  }, async (request, reply) => {
    const product = await createProduct(app.db, request.body)
    return reply.status(201).header('location', `/products/${encodeURIComponent(product.productId)}`).send(product)
  })

  app.get('/products', {
    config: { access: 'authenticated' },
    schema: { summary: 'List products in id order, a page at a time', querystring: ListQuery, response: { 200: ProductPage, 400: ErrorBody } },
  }, async (request) => productPage(app.db, { limit: request.query.limit ?? DEFAULT_PAGE_SIZE, cursor: request.query.cursor }))

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
  }, async (request) => restock(app.db, { key: idempotencyKeyOf(request.headers), productId: request.params.productId, quantity: request.body.quantity }))
}
