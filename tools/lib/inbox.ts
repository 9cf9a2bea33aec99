// Which events a consumer group's inbox has handled, and when, read in chunks that keep each IN (…) list under PostgreSQL's parameter limit.
import type { Knex } from 'knex'

// Keeps each IN (…) list well under PostgreSQL's parameter limit.
const CHUNK = 1000

/** Splits a list for IN (…) queries. */
export function chunks<T>(items: readonly T[]): T[][] {
  return Array.from({ length: Math.ceil(items.length / CHUNK) }, (_, i) => items.slice(i * CHUNK, (i + 1) * CHUNK))
}

/** Which of these events a consumer group's inbox (in its service's database) recorded, and when. */
export async function handledEvents(db: Knex, group: string, eventIds: readonly string[]): Promise<Map<string, Date>> {
  const handled = new Map<string, Date>()
  for (const ids of chunks(eventIds)) {
    const rows: { event_id: string; handled_at: Date }[] = await db('inbox').select('event_id', 'handled_at').where({ consumer_group: group }).whereIn('event_id', ids)
    for (const r of rows) handled.set(r.event_id, new Date(r.handled_at))
  }
  return handled
}
