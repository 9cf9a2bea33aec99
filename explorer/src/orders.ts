// The orders list's rows from order-service's database, and the feed that pushes each change to the open pages (server-sent events).
import type { Knex } from 'knex'
import type { Clients } from '@choreo/tools/lib/clients.ts'
import { isStuck, unfinishedOrders } from '@choreo/tools/lib/unfinished-orders.ts'

/** One row of the orders page, as the page renders it and the feed sends it. */
export interface OrderRow {
  orderId: string
  customerId: string
  status: string
  total: { amount: number; currency: string } | null
  createdAt: string
  /** Waits on something, by `saga stuck`'s rule. */
  stuck: boolean
}

/** The list shows this many orders, newest first. */
export const LIST_LIMIT = 200
/** How often the feed asks order-service's database what changed. */
export const POLL_MS = 1000
/** How often the stuck marks are recomputed while a page listens: `saga stuck` reads every topic, too heavy for each poll. */
const STUCK_REFRESH_MS = 10_000
/** `saga stuck`'s default: younger orders may simply be in flight. */
export const STUCK_AFTER_MS = 30_000

interface OrderRecord { order_id: string; customer_id: string; status: string; total_amount: string | number | null; currency: string; created_at: Date }

const COLUMNS = ['order_id', 'customer_id', 'status', 'total_amount', 'currency', 'created_at']

function rowOf(r: OrderRecord, stuck: ReadonlySet<string>): OrderRow {
  return {
    orderId: r.order_id, customerId: r.customer_id, status: r.status,
    total: r.total_amount === null ? null : { amount: Number(r.total_amount), currency: r.currency.trim() },
    createdAt: new Date(r.created_at).toISOString(), stuck: stuck.has(r.order_id),
  }
}

/** Which of these orders are stuck, by `saga stuck`'s rule. */
async function stuckAmong(clients: Clients, orderIds: readonly string[]): Promise<Set<string>> {
  const { unfinished } = await unfinishedOrders(clients, STUCK_AFTER_MS, orderIds)
  return new Set(unfinished.filter(isStuck).map((u) => u.trace.orderId))
}

/**
 * The newest orders with the feed's stuck marks, or those whose id or customer starts with
 * `search` with marks computed for them (the feed marks only the newest: an older order searched
 * for is not among them).
 */
export async function searchOrders(clients: Clients, search: string, feed: OrdersFeed): Promise<OrderRow[]> {
  if (!search) return listOrders(clients.db('order-service'), search, feed.stuck())
  const rows = await listOrders(clients.db('order-service'), search, new Set())
  const stuck = await stuckAmong(clients, rows.map((r) => r.orderId))
  return rows.map((r) => ({ ...r, stuck: stuck.has(r.orderId) }))
}

/** The newest orders, or those whose id or customer starts with `search` (index orders_pkey, orders_customer_created). */
export async function listOrders(db: Knex, search: string, stuck: ReadonlySet<string>): Promise<OrderRow[]> {
  const query = db('orders').select(COLUMNS).orderBy('created_at', 'desc').limit(LIST_LIMIT)
  if (search) void query.where((w) => { void w.where('order_id', 'like', `${search}%`).orWhere('customer_id', 'like', `${search}%`) })
  return (await query as OrderRecord[]).map((r) => rowOf(r, stuck))
}

export interface OrdersFeed {
  /** The orders marked stuck at the last refresh. */
  stuck(): ReadonlySet<string>
  /** Calls `listener` with every order that changes from now on; returns the unsubscribe. */
  subscribe(listener: (row: OrderRow) => void): () => void
  close(): void
}

/**
 * Polls order_history every POLL_MS for rows past the last id it saw (its primary key: an index
 * range scan, however many orders there are): every status change and every new order appends one.
 * The changed orders are read and sent to every listener. While someone listens, the stuck marks of
 * the newest LIST_LIMIT orders are recomputed every STUCK_REFRESH_MS and an order whose mark flips
 * is sent too.
 */
export function createOrdersFeed(clients: Clients, log: (err: unknown) => void): OrdersFeed {
  const db = clients.db('order-service')
  const listeners = new Set<(row: OrderRow) => void>()
  let stuck = new Set<string>()
  let lastId: number | null = null
  let stuckAt = 0
  let busy = false
  let closed = false

  async function send(orderIds: readonly string[]): Promise<void> {
    if (orderIds.length === 0 || listeners.size === 0) return
    const rows: OrderRecord[] = await db('orders').select(COLUMNS).whereIn('order_id', orderIds)
    for (const r of rows) for (const listener of listeners) listener(rowOf(r, stuck))
  }

  // Only the orders the list can show: all the unfinished ones of a large shop would take a pass over every topic.
  async function refreshStuck(): Promise<void> {
    const newest: string[] = await db('orders').orderBy('created_at', 'desc').limit(LIST_LIMIT).pluck('order_id')
    const now = await stuckAmong(clients, newest)
    const flipped = [...new Set([...now, ...stuck])].filter((id) => now.has(id) !== stuck.has(id))
    stuck = now
    stuckAt = Date.now()
    await send(flipped)
  }

  async function poll(): Promise<void> {
    const changed: { id: string; order_id: string }[] = lastId === null
      ? await db('order_history').max({ id: 'id' }).then(([r]) => [{ id: String(r?.id ?? 0), order_id: '' }])
      : await db('order_history').select('id', 'order_id').where('id', '>', lastId).orderBy('id')
    if (changed.length > 0) lastId = Number(changed.at(-1)!.id)
    await send([...new Set(changed.map((c) => c.order_id).filter(Boolean))])
    if (listeners.size > 0 && Date.now() - stuckAt >= STUCK_REFRESH_MS) await refreshStuck()
  }

  const timer = setInterval(() => {
    if (busy || closed) return
    busy = true
    poll().catch(log).finally(() => { busy = false })
  }, POLL_MS)
  // The first page gets its marks without waiting for a listener.
  void refreshStuck().catch(log)

  return {
    stuck: () => stuck,
    subscribe(listener) {
      listeners.add(listener)
      return () => listeners.delete(listener)
    },
    close() {
      closed = true
      clearInterval(timer)
    },
  }
}
