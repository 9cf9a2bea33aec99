// choreo saga: trace <orderId> (one order's saga across all topics and services) | stuck [--older-than 30s] [--at-rest]
import { openClients } from '../lib/clients.ts'
import { runCommand, UsageError } from '../lib/command.ts'
import { parseCommandLine, verbOf } from '../lib/command-line.ts'
import { formatSpan, parseDuration } from '../lib/duration.ts'
import { gatherFacts } from '../lib/saga-facts.ts'
import { renderTrace } from '../lib/saga-report.ts'
import { buildTrace, type SagaTrace } from '../lib/saga-trace.ts'
import { readSettings } from '../lib/settings.ts'
import { formatTable } from '../lib/table.ts'
import { isStuck, unfinishedOrders } from '../lib/unfinished-orders.ts'

const usage = `
usage: ./choreo saga trace <orderId> [--json] [--prefix P]
       ./choreo saga stuck [--older-than 30s] [--at-rest] [--json] [--prefix P]
  trace   the order's timeline across order.events, stock.events and payment.events: each event, who
          produced it, which services handled it and when (their inbox tables), the time between steps,
          the order's state, what is missing if the saga is stuck (events Kafka no longer has among it),
          and the requests the API accepts for it now. Exits 1 when something is missing.
  stuck   orders not final, placed longer ago than --older-than (default 30s), that wait on something:
          an event not handled, not published, dead-lettered or gone from Kafka, a shipment overdue.
          Exits 1 when there is one. --at-rest lists the orders at rest too (e.g. SHIPPED, waiting for
          its delivery; PAID, waiting for its fulfilment delay), which are not a failure.
Databases: ORDER_DATABASE_URL, STOCK_DATABASE_URL, PAYMENT_DATABASE_URL (default: the local stack's).
`

const DEFAULT_OLDER_THAN = '30s'

await runCommand(usage, async (args) => {
  const { values, positionals } = parseCommandLine(args, { json: { type: 'boolean' }, prefix: { type: 'string' }, 'older-than': { type: 'string' }, 'at-rest': { type: 'boolean' } })
  const verb = verbOf(positionals, ['trace', 'stuck'])
  const orderId = positionals[1]
  if (verb === 'trace') {
    if (!orderId) throw new UsageError('missing the order id: saga trace <orderId>')
    if (positionals.length > 2) throw new UsageError(`unexpected argument '${positionals[2]}'`)
    if (values['older-than'] !== undefined || values['at-rest']) throw new UsageError('--older-than and --at-rest belong to saga stuck')
  } else if (positionals.length > 1) {
    throw new UsageError('saga stuck takes no order id')
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
    const { now, unfinished } = await unfinishedOrders(clients, olderThanMs)
    if (unfinished.length === 0) {
      process.stdout.write(values.json ? '[]\n' : `no order older than ${formatSpan(olderThanMs)} is unfinished\n`)
      return 0
    }
    const waiting = unfinished.filter(isStuck)
    const stuck = values['at-rest'] ? unfinished : waiting
    const atRest = unfinished.length - waiting.length
    if (stuck.length === 0 && !values.json) {
      process.stdout.write(`no order older than ${formatSpan(olderThanMs)} waits on anything; ${atRest} at rest (--at-rest lists them)\n`)
      return 0
    }
    if (values.json) {
      process.stdout.write(`${JSON.stringify(stuck.map(({ createdAt, trace }) => ({
        orderId: trace.orderId, status: trace.status, placedAt: createdAt.toISOString(), lastEvent: lastEventOf(trace), missing: trace.missing, atRest: trace.atRest !== null, accepts: trace.accepts,
      })))}\n`)
    } else {
      process.stdout.write(`${formatTable(['ORDER', 'STATUS', 'PLACED', 'LAST EVENT', 'WHAT IS MISSING'], stuck.map(({ createdAt, trace }) => {
        const last = lastEventOf(trace)
        return [
          trace.orderId, trace.status ?? '?', `${formatSpan(now - createdAt.getTime())} ago`,
          last ? `${last.type} by ${last.producer}, ${formatSpan(now - Date.parse(last.at))} ago` : '(none on the topics)',
          trace.missing[0] ? `${trace.missing[0]}${trace.missing.length > 1 ? ` (+${trace.missing.length - 1} more)` : ''}` : 'nothing: at rest',
        ]
      }))}\n\n${values['at-rest'] ? '' : `${atRest} more at rest (--at-rest lists them). `}details, and the requests each accepts: ./choreo saga trace <order>\n`)
    }
    return waiting.length > 0 ? 1 : 0
  } finally {
    await clients.close()
  }
})

function lastEventOf(trace: SagaTrace): { type: string; producer: string; at: string } | null {
  const last = trace.steps.at(-1)
  return last ? { type: last.type, producer: last.producer, at: last.at } : null
}
