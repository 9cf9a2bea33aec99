// The `saga stuck` rule in one place, for the command and the explorer: orders not final, placed before a cut-off, with their traces.
import { isTerminal, ORDER_STATUSES } from '@choreo/order-service'
import type { Clients } from './clients.ts'
import { gatherFacts } from './saga-facts.ts'
import { buildTrace, type SagaTrace } from './saga-trace.ts'

const TERMINAL = ORDER_STATUSES.filter(isTerminal)

export interface Unfinished {
  createdAt: Date
  trace: SagaTrace
}

/** An unfinished order is stuck when its trace names something missing; otherwise it is at rest. */
export function isStuck(order: Unfinished): boolean {
  return order.trace.missing.length > 0
}

/**
 * The orders not final and placed more than `olderThanMs` ago, oldest first, each with its trace;
 * `now` is when the facts were read. `among` narrows the question to those orders (a page's rows).
 */
export async function unfinishedOrders(clients: Clients, olderThanMs: number, among?: readonly string[]): Promise<{ now: number; unfinished: Unfinished[] }> {
  if (among?.length === 0) return { now: Date.now(), unfinished: [] }
  const query = clients.db('order-service')('orders')
    .select('order_id', 'created_at').whereNotIn('status', TERMINAL).where('created_at', '<', new Date(Date.now() - olderThanMs)).orderBy('created_at')
  if (among) void query.whereIn('order_id', among)
  const rows: { order_id: string; created_at: Date }[] = await query
  if (rows.length === 0) return { now: Date.now(), unfinished: [] }
  const { surroundings, facts } = await gatherFacts(clients, rows.map((r) => r.order_id))
  return { now: surroundings.now, unfinished: rows.map((r) => ({ createdAt: new Date(r.created_at), trace: buildTrace(facts.get(r.order_id)!, surroundings) })) }
}
