// The catalogue: products with their price and stock levels, and the moves of units between available and reserved.
import type { Knex } from 'knex'
import type { Money } from '@choreo/contracts'

export interface Product {
  productId: string
  name: string
  price: Money
  available: number
  reserved: number
}

interface ProductRow {
  product_id: string
  name: string
  price_amount: string | number
  price_currency: string
  available: number
  reserved: number
}

/** A stock column is a PostgreSQL integer: on hand may not grow past it. */
export const MAX_UNITS = 2_147_483_647

/** A conditional stock update touched no row although the row was locked: a bug, not a race. */
export class StockMoveFailed extends Error {
  constructor(productId: string, move: string, quantity: number) {
    super(`cannot ${move} ${quantity} unit(s) of product ${productId}`)
    this.name = 'StockMoveFailed'
  }
}

function fromRow(row: ProductRow): Product {
  return {
    productId: row.product_id,
    name: row.name,
    price: { amount: Number(row.price_amount), currency: row.price_currency },
    available: row.available,
    reserved: row.reserved,
  }
}

/** Inserts a product; undefined if one with this id exists already. */
export async function insertProduct(db: Knex | Knex.Transaction, product: Omit<Product, 'reserved'>): Promise<Product | undefined> {
  const rows: ProductRow[] = await db('products')
    .insert({
      product_id: product.productId,
      name: product.name,
      price_amount: product.price.amount,
      price_currency: product.price.currency,
      available: product.available,
      reserved: 0,
    })
    .onConflict('product_id').ignore()
    .returning('*')
  return rows[0] ? fromRow(rows[0]) : undefined
}

export async function findProduct(db: Knex | Knex.Transaction, productId: string): Promise<Product | undefined> {
  const row: ProductRow | undefined = await db('products').where({ product_id: productId }).first()
  return row ? fromRow(row) : undefined
}

/** A page of products in id order, starting after `after`. */
export async function listProducts(db: Knex | Knex.Transaction, page: { limit: number; after: string | undefined }): Promise<Product[]> {
  const query = db<ProductRow>('products').orderBy('product_id').limit(page.limit)
  if (page.after !== undefined) query.where('product_id', '>', page.after)
  const rows: ProductRow[] = await query
  return rows.map(fromRow)
}

/**
 * Adds units to what is available. Returns the product, 'not-found', or 'too-many' when on hand
 * would pass MAX_UNITS.
 */
export async function restockProduct(db: Knex | Knex.Transaction, productId: string, quantity: number): Promise<Product | 'not-found' | 'too-many'> {
  const rows: ProductRow[] = await db('products')
    .where({ product_id: productId })
    .whereRaw('available + reserved <= ?', [MAX_UNITS - quantity])
    .update({ available: db.raw('available + ?', [quantity]), updated_at: db.fn.now() })
    .returning('*')
  if (rows[0]) return fromRow(rows[0])
  return (await findProduct(db, productId)) ? 'too-many' : 'not-found'
}

/**
 * Locks the rows of these products, always in product id order so that two transactions
 * locking overlapping sets cannot deadlock. Unknown ids are simply absent from the result.
 */
export async function lockProducts(trx: Knex.Transaction, productIds: readonly string[]): Promise<Map<string, Product>> {
  if (productIds.length === 0) return new Map()
  const rows: ProductRow[] = await trx('products').whereIn('product_id', [...new Set(productIds)]).orderBy('product_id').forUpdate()
  return new Map(rows.map((row) => [row.product_id, fromRow(row)]))
}

/** Units of one product to move. */
export interface Units {
  productId: string
  quantity: number
}

// Each move: the column that must hold the units, and what it does to the row.
const MOVES = {
  reserve: { from: 'available', set: 'available = p.available - m.quantity, reserved = p.reserved + m.quantity' },
  release: { from: 'reserved', set: 'available = p.available + m.quantity, reserved = p.reserved - m.quantity' },
  dispatch: { from: 'reserved', set: 'reserved = p.reserved - m.quantity' },
} as const

/**
 * Moves units of several products in one statement, each only if its row holds that many: all
 * of them, or StockMoveFailed (the caller's transaction then rolls back). The caller has locked
 * the rows (lockProducts). Units of one product are added up; none or fewer move nothing.
 */
async function moveUnits(trx: Knex.Transaction, move: keyof typeof MOVES, units: readonly Units[]): Promise<void> {
  const byProduct = new Map<string, number>()
  for (const { productId, quantity } of units) if (quantity > 0) byProduct.set(productId, (byProduct.get(productId) ?? 0) + quantity)
  if (byProduct.size === 0) return
  const { from, set } = MOVES[move]
  const { rows }: { rows: { product_id: string }[] } = await trx.raw(
    `UPDATE products AS p SET ${set}, updated_at = CURRENT_TIMESTAMP
     FROM unnest(?::text[], ?::int[]) AS m(product_id, quantity)
     WHERE p.product_id = m.product_id AND p.${from} >= m.quantity
     RETURNING p.product_id`,
    [[...byProduct.keys()], [...byProduct.values()]],
  )
  const moved = new Set(rows.map((row) => row.product_id))
  for (const [productId, quantity] of byProduct) if (!moved.has(productId)) throw new StockMoveFailed(productId, move, quantity)
}

/** Moves units available → reserved, only if that many are available. */
export function reserveUnits(trx: Knex.Transaction, units: readonly Units[]): Promise<void> {
  return moveUnits(trx, 'reserve', units)
}

/** Moves units reserved → available. */
export function unreserveUnits(trx: Knex.Transaction, units: readonly Units[]): Promise<void> {
  return moveUnits(trx, 'release', units)
}

/** Takes reserved units out of the warehouse: they leave stock altogether. */
export function dispatchUnits(trx: Knex.Transaction, units: readonly Units[]): Promise<void> {
  return moveUnits(trx, 'dispatch', units)
}
