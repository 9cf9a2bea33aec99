// Orders: who placed them, their status, total, shipment and pending modification.
import type { Knex } from 'knex'
import type { Address, ShortLine } from '@choreo/contracts'
import type { OrderStatus } from '../domain/status.ts'
import type { OrderCursor } from '../domain/cursor.ts'
import { clipReason } from '../domain/reason.ts'

export interface Order {
  orderId: string
  customerId: string
  status: OrderStatus
  currency: string
  /** Minor units; null until stock has priced the lines. */
  totalAmount: number | null
  shippingAddress: Address
  carrier: string | null
  trackingNumber: string | null
  shipmentId: string | null
  reason: string | null
  shortLines: ShortLine[] | null
  pendingModificationId: string | null
  createdAt: Date
  updatedAt: Date
}

/** What a saga step or a request may change on an order. */
export type OrderChanges = Partial<Pick<Order, 'status' | 'totalAmount' | 'carrier' | 'trackingNumber' | 'shipmentId' | 'reason' | 'shortLines' | 'pendingModificationId'>>

interface OrderRow {
  order_id: string
  customer_id: string
  status: string
  currency: string
  total_amount: string | number | null
  shipping_address: string
  carrier: string | null
  tracking_number: string | null
  shipment_id: string | null
  reason: string | null
  short_lines: string | null
  pending_modification_id: string | null
  created_at: Date
  updated_at: Date
}

function fromRow(row: OrderRow): Order {
  return {
    orderId: row.order_id,
    customerId: row.customer_id,
    status: row.status as OrderStatus,
    currency: row.currency,
    totalAmount: row.total_amount === null ? null : Number(row.total_amount),
    shippingAddress: JSON.parse(row.shipping_address) as Address,
    carrier: row.carrier,
    trackingNumber: row.tracking_number,
    shipmentId: row.shipment_id,
    reason: row.reason,
    shortLines: row.short_lines === null ? null : (JSON.parse(row.short_lines) as ShortLine[]),
    pendingModificationId: row.pending_modification_id,
    createdAt: new Date(row.created_at),
    updatedAt: new Date(row.updated_at),
  }
}

export interface NewOrder {
  orderId: string
  customerId: string
  currency: string
  shippingAddress: Address
  createdAt: Date
}

export async function insertOrder(db: Knex | Knex.Transaction, order: NewOrder): Promise<void> {
  await db<OrderRow>('orders').insert({
    order_id: order.orderId,
    customer_id: order.customerId,
    status: 'PENDING',
    currency: order.currency,
    total_amount: null,
    shipping_address: JSON.stringify(order.shippingAddress),
    created_at: order.createdAt,
    updated_at: order.createdAt,
  })
}

export async function findOrder(db: Knex | Knex.Transaction, orderId: string): Promise<Order | undefined> {
  const row = await db<OrderRow>('orders').where({ order_id: orderId }).first()
  return row ? fromRow(row) : undefined
}

/** Reads the order and locks its row until the transaction ends: one writer per order at a time. */
export async function lockOrder(trx: Knex.Transaction, orderId: string): Promise<Order | undefined> {
  const row = await trx<OrderRow>('orders').where({ order_id: orderId }).forUpdate().first()
  return row ? fromRow(row) : undefined
}

export async function updateOrder(db: Knex | Knex.Transaction, orderId: string, changes: OrderChanges, at: Date): Promise<void> {
  const row: Partial<OrderRow> = { updated_at: at }
  if (changes.status !== undefined) row.status = changes.status
  if (changes.totalAmount !== undefined) row.total_amount = changes.totalAmount
  if (changes.carrier !== undefined) row.carrier = changes.carrier
  if (changes.trackingNumber !== undefined) row.tracking_number = changes.trackingNumber
  if (changes.shipmentId !== undefined) row.shipment_id = changes.shipmentId
  if (changes.reason !== undefined) row.reason = changes.reason === null ? null : clipReason(changes.reason)
  if (changes.shortLines !== undefined) row.short_lines = changes.shortLines === null ? null : JSON.stringify(changes.shortLines)
  if (changes.pendingModificationId !== undefined) row.pending_modification_id = changes.pendingModificationId
  await db<OrderRow>('orders').where({ order_id: orderId }).update(row)
}

export interface OrderFilter {
  customerId?: string
  status?: OrderStatus
  /** Only orders strictly after this key in newest-first order. */
  after?: OrderCursor
  limit: number
}

/** One page of orders, newest first, by keyset on (created_at, order_id). */
export async function listOrders(db: Knex | Knex.Transaction, filter: OrderFilter): Promise<Order[]> {
  const query = db<OrderRow>('orders')
  if (filter.customerId !== undefined) query.where({ customer_id: filter.customerId })
  if (filter.status !== undefined) query.where({ status: filter.status })
  const after = filter.after
  if (after) {
    query.where((q) => q.where('created_at', '<', after.createdAt).orWhere((q2) => q2.where('created_at', '=', after.createdAt).andWhere('order_id', '<', after.orderId)))
  }
  const rows = await query.orderBy([{ column: 'created_at', order: 'desc' }, { column: 'order_id', order: 'desc' }]).limit(filter.limit)
  return rows.map(fromRow)
}
