// order-service's metrics, read from its database at each scrape: orders by status and how long sagas took, the same on every instance.
import type { Knex } from 'knex'
import client from 'prom-client'
import { isTerminal, ORDER_STATUSES } from './domain/status.ts'

const FINAL_STATUSES = ORDER_STATUSES.filter(isTerminal)
// A saga takes milliseconds when all is well and minutes when a service is down or retrying.
const SAGA_BUCKETS_SECONDS = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600]
// History rows are read once they are this old: a transaction that drew a lower id but committed
// after a higher one (row ids are handed out before commit) has committed by then.
const SETTLE_MS = 5_000

interface FinalRow {
  id: string | number
  status: string
  at: Date
  placed_at: Date
}

/**
 * order-service's own metrics, read from its database when Prometheus scrapes, so every
 * instance reports the same figures and a restart loses nothing: orders by status, and how long
 * sagas took from OrderPlaced to their final status (the first final row of the order's history).
 */
export function registerOrderMetrics(registry: client.Registry, db: Knex): void {
  new client.Gauge({
    name: 'orders_by_status', help: 'Orders in each status.', labelNames: ['status'], registers: [registry],
    async collect() {
      const rows: { status: string; n: string | number }[] = await db('orders').select('status').count({ n: '*' }).groupBy('status')
      const counts = new Map(rows.map((r) => [r.status, Number(r.n)]))
      for (const status of ORDER_STATUSES) this.set({ status }, counts.get(status) ?? 0)
    },
  })

  let seenUpTo = 0
  let reading: Promise<void> = Promise.resolve()
  const duration = new client.Histogram({
    name: 'saga_duration_seconds',
    help: 'From an order being placed to its final status (DELIVERED, REJECTED or CANCELLED), by that status.',
    labelNames: ['outcome'], buckets: SAGA_BUCKETS_SECONDS, registers: [registry],
    // Each order is observed once, when its first final history row is seen; scrapes take turns.
    collect() {
      // A failed read (database away) fails that scrape only; the next one reads on from the same row.
      reading = reading.catch(() => {}).then(async () => {
        for (const row of await finalRowsAfter(db, seenUpTo, new Date(Date.now() - SETTLE_MS))) {
          duration.observe({ outcome: row.status }, (new Date(row.at).getTime() - new Date(row.placed_at).getTime()) / 1000)
          seenUpTo = Math.max(seenUpTo, Number(row.id))
        }
      })
      return reading
    },
  })
}

/** Orders' first final history rows with an id above `afterId`, older than `before`, each with when its order was placed. */
function finalRowsAfter(db: Knex, afterId: number, before: Date): Promise<FinalRow[]> {
  const firstRowAt = db('order_history as p').select('p.at').whereRaw('p.order_id = h.order_id').orderBy('p.id').limit(1)
  return db('order_history as h')
    .select('h.id', 'h.status', 'h.at', firstRowAt.as('placed_at'))
    .where('h.id', '>', afterId).where('h.at', '<', before).whereIn('h.status', FINAL_STATUSES)
    .whereNotExists(db('order_history as e').select(db.raw('1')).whereRaw('e.order_id = h.order_id').where('e.id', '<', db.ref('h.id')).whereIn('e.status', FINAL_STATUSES))
    .orderBy('h.id')
}
