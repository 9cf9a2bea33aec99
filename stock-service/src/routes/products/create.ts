// POST /products' command: adds a product to the catalogue with its price and first stock.
import { randomUUID } from 'node:crypto'
import type { Knex } from 'knex'
import { Conflict } from '@choreo/platform'
import { insertProduct, type Product } from '../../repositories/products.ts'
import type { CreateProduct } from './schemas.ts'

/** Creates the product (a new id unless one is given); an id taken already is a 409. */
export async function createProduct(db: Knex, input: CreateProduct): Promise<Product> {
  const { productId = randomUUID(), name, price, quantity } = input
  const product = await insertProduct(db, { productId, name, price, available: quantity })
  if (!product) throw new Conflict(`product ${productId} exists already`, 'product-exists')
  return product
}
