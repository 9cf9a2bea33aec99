// The catalogue's queries: a page of products as GET /products lists them.
import type { Knex } from 'knex'
import { listProducts } from '../../repositories/products.ts'
import type { ProductPage } from './schemas.ts'

/** Products in id order after `cursor`, `limit` of them, and the cursor of the next page (null when none follows). */
export async function productPage(db: Knex, page: { limit: number; cursor: string | undefined }): Promise<ProductPage> {
  // One row more than the page tells whether another page follows.
  const rows = await listProducts(db, { limit: page.limit + 1, after: page.cursor })
  const items = rows.slice(0, page.limit)
  return { items, nextCursor: rows.length > page.limit ? (items.at(-1)?.productId ?? null) : null }
}
