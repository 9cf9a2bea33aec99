// Where a saga's time goes, hop by hop (producer→consumer, relay), from the outbox and inbox timestamps the services record anyway.
import type { Knex } from 'knex'
import { percentile, round } from './results.ts'
import { SERVICES, type ServiceName } from './services.ts'

/** p50/p99 of one kind of hop, in milliseconds. */
export interface Hop {
  n: number
  p50Ms: number
  p99Ms: number
}

/**
 * Where a saga's time goes, from timestamps the services record anyway (one PostgreSQL clock):
 * - `<producer>→<consumer>`: from the producing transaction's start (outbox.created_at) to the
 *   consuming transaction's start (inbox.handled_at): commit, relay, broker, fetch, queueing.
 * - `<producer> relay`: from outbox.created_at to the relay's mark (published_at), which is an
 *   upper bound of the relay's share: the mark runs after the broker's ack, with the relay's next
 *   read, which comes on the next wake-up or within markDelayMs (100 ms).
 */
export async function sagaHops(dbs: Record<ServiceName, Knex>, orderIds: readonly string[]): Promise<Record<string, Hop>> {
  if (orderIds.length === 0) return {}
  const outbox = new Map<string, { producer: ServiceName; createdAt: number; publishedAt: number | null }>()
  const samples = new Map<string, number[]>()
  const add = (hop: string, ms: number) => {
    const list = samples.get(hop)
    if (list) list.push(ms)
    else samples.set(hop, [ms])
  }

  for (const producer of SERVICES) {
    const rows: { event_id: string; created_at: Date; published_at: Date | null }[] = await dbs[producer]('outbox')
      .select('event_id', 'created_at', 'published_at').whereIn('aggregate_id', orderIds)
    for (const r of rows) {
      const createdAt = r.created_at.getTime()
      outbox.set(r.event_id, { producer, createdAt, publishedAt: r.published_at?.getTime() ?? null })
      if (r.published_at) add(`${producer} relay`, r.published_at.getTime() - createdAt)
    }
  }
  for (const consumer of SERVICES) {
    const ids = [...outbox.keys()]
    for (let i = 0; i < ids.length; i += 1000) {
      const rows: { event_id: string; handled_at: Date }[] = await dbs[consumer]('inbox').select('event_id', 'handled_at').whereIn('event_id', ids.slice(i, i + 1000))
      for (const r of rows) {
        const produced = outbox.get(r.event_id)
        if (produced) add(`${produced.producer}→${consumer}`, r.handled_at.getTime() - produced.createdAt)
      }
    }
  }
  return Object.fromEntries([...samples].sort(([a], [b]) => a.localeCompare(b)).map(([hop, ms]) => [hop, { n: ms.length, p50Ms: round(percentile(ms, 50)), p99Ms: round(percentile(ms, 99)) }]))
}
