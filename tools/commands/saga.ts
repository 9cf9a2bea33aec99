// choreo saga: trace <orderId> (one order's saga across all topics and services) | stuck [--older-than 30s]
import { parseArgs } from 'node:util'
import { isTerminal, ORDER_STATUSES } from '../../order-service/src/domain/status.ts'
import { openClients } from '../lib/clients.ts'
import { runCommand, UsageError } from '../lib/command.ts'
import { formatSpan, parseDuration } from '../lib/duration.ts'
import { gatherFacts } from '../lib/saga-facts.ts'
import { renderTrace } from '../lib/saga-report.ts'
import { buildTrace, type SagaTrace } from '../lib/saga-trace.ts'
import { readSettings } from '../lib/settings.ts'
import { formatTable } from '../lib/table.ts'

const usage = `
usage: ./choreo saga trace <orderId> [--json] [--prefix P]
       ./choreo saga stuck [--older-than 30s] [--json] [--prefix P]
  trace   the order's timeline across order.events, stock.events and payment.events: each event, who
          produced it, which services handled it and when (their inbox tables), the time between steps,
          the order's state, and what is missing if the saga is stuck. Exits 1 when something is missing.
  stuck   orders not final that were placed longer ago than --older-than (default 30s), with their last
          event and what is missing. Exits 1 when one of them misses something; an order at rest (e.g.
          SHIPPED, waiting for its delivery) is listed but is not a failure.
Databases: ORDER_DATABASE_URL, STOCK_DATABASE_URL, PAYMENT_DATABASE_URL (default: the local stack's).
`

const DEFAULT_OLDER_THAN = '30s'
const TERMINAL = ORDER_STATUSES.filter(isTerminal)

await runCommand(usage, async () => {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { json: { type: 'boolean' }, prefix: { type: 'string' }, 'older-than': { type: 'string' } },
  })
  const [verb, orderId] = positionals
  if (verb === 'trace') {
    if (!orderId || positionals.length > 2) throw new UsageError('expected: saga trace <orderId>')
  } else if (verb === 'stuck') {
    if (positionals.length > 1) throw new UsageError('saga stuck takes no order id')
  } else {
    throw new UsageError('expected: saga trace <orderId> | saga stuck')
  }
  const olderThanMs = parseDuration(values['older-than'] ?? DEFAULT_OLDER_THAN, '--older-than')
  const clients = openClients(readSettings({ prefix: values.prefix }))
  try {
    if (verb === 'trace') {
      const { surroundings, facts } = await gatherFacts(clients, [orderId!])
      const trace = buildTrace(facts.get(orderId!)!, surroundings)
      process.stdout.write(`${values.json ? JSON.stringify(trace) : renderTrace(trace)}\n`)
      return trace.missing.length > 0 ? 1 : 0
    }
    const rows: { order_id: string; created_at: Date }[] = await clients.db('order-service')('orders')
      .select('order_id', 'created_at').whereNotIn('status', TERMINAL).where('created_at', '<', new Date(Date.now() - olderThanMs)).orderBy('created_at')
    if (rows.length === 0) {
      process.stdout.write(values.json ? '[]\n' : `no order older than ${formatSpan(olderThanMs)} is unfinished\n`)
      return 0
    }
    const { surroundings, facts } = await gatherFacts(clients, rows.map((r) => r.order_id))
    const stuck = rows.map((r) => ({ createdAt: new Date(r.created_at), trace: buildTrace(facts.get(r.order_id)!, surroundings) }))
    if (values.json) {
      process.stdout.write(`${JSON.stringify(stuck.map(({ createdAt, trace }) => ({
        orderId: trace.orderId, status: trace.status, placedAt: createdAt.toISOString(), lastEvent: lastEventOf(trace), missing: trace.missing, atRest: trace.atRest !== null,
      })))}\n`)
    } else {
      process.stdout.write(`${formatTable(['ORDER', 'STATUS', 'PLACED', 'LAST EVENT', 'WHAT IS MISSING'], stuck.map(({ createdAt, trace }) => {
        const last = lastEventOf(trace)
        return [
          trace.orderId, trace.status ?? '?', `${formatSpan(surroundings.now - createdAt.getTime())} ago`,
          last ? `${last.type} by ${last.producer}, ${formatSpan(surroundings.now - Date.parse(last.at))} ago` : '(none on the topics)',
          trace.missing[0] ? `${trace.missing[0]}${trace.missing.length > 1 ? ` (+${trace.missing.length - 1} more)` : ''}` : 'nothing: at rest',
        ]
      }))}\n\ndetails: ./choreo saga trace <order>\n`)
    }
    return stuck.some(({ trace }) => trace.missing.length > 0) ? 1 : 0
  } finally {
    await clients.close()
  }
})

function lastEventOf(trace: SagaTrace): { type: string; producer: string; at: string } | null {
  const last = trace.steps.at(-1)
  return last ? { type: last.type, producer: last.producer, at: last.at } : null
}
