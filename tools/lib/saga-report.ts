// How `./choreo saga trace` prints a trace for a person: the order, its timeline, dead letters, what is missing and what the API accepts now.
import { formatMoney } from '@choreo/contracts'
import { formatSpan } from './duration.ts'
import type { SagaTrace } from './saga-trace.ts'
import { formatTable } from './table.ts'

const MARK = { handled: '✓', 'dead-lettered': '✗ dead-lettered', 'not consumed yet': '… not yet', 'consumed, not recorded': '? no inbox row' } as const

/** `saga trace` for a person: the order, its timeline, and what is missing. */
export function renderTrace(trace: SagaTrace): string {
  const o = trace.order
  const head = [
    `order ${trace.orderId}`,
    o ? `customer ${o.customerId}` : null,
    trace.status ? `${trace.status}${trace.final ? ' (final)' : ' (not final)'}` : 'unknown to order-service',
    o?.total ? `total ${formatMoney(o.total)}` : null,
    o?.shipment ? `shipped with ${o.shipment.carrier} ${o.shipment.trackingNumber}` : null,
    o?.reason ? `reason: ${o.reason}` : null,
  ].filter(Boolean).join(' · ')
  const lines = [head]
  if (trace.traceIds.length > 0) lines.push(`trace id ${trace.traceIds.join(', ')}${trace.traceIds.length > 1 ? ' (more than one: some events came from another request)' : ''}`)
  lines.push('')
  if (trace.steps.length === 0) {
    lines.push('no event of this order is on the topics')
  } else {
    lines.push(formatTable(
      ['AT', 'STEP', 'EVENT', 'BY', 'ON', 'CONSUMED BY'],
      trace.steps.map((s) => [
        s.at.slice(11, 23),
        s.sincePreviousMs === null ? '' : `+${formatSpan(s.sincePreviousMs)}`,
        `${s.type}${s.copies > 1 ? ` ×${s.copies}` : ''}`,
        s.producer,
        `${s.topic}[${s.partition}]@${s.offset}`,
        s.consumers.length === 0 ? '(no service reacts)'
          : s.consumers.map((c) => `${c.service} ${MARK[c.state]}${c.afterMs === undefined ? '' : ` +${formatSpan(c.afterMs)}`}`).join(', '),
      ]),
    ))
  }
  if (trace.deadLetters.length > 0) {
    lines.push('', 'dead letters:')
    for (const d of trace.deadLetters) lines.push(`  ${d.id}  ${d.eventType ?? '?'} by ${d.group}: ${d.reason}: ${d.error}`)
  }
  lines.push('')
  if (trace.missing.length > 0) {
    lines.push('missing:')
    for (const m of trace.missing) lines.push(`  - ${m}`)
  } else if (trace.atRest) {
    lines.push(trace.atRest)
  } else {
    lines.push(`complete: every event was handled by every service that reacts to it, and ${trace.status} is final`)
  }
  if (trace.accepts.length > 0) {
    lines.push('', `the API accepts now (${trace.status}):`)
    for (const a of trace.accepts) lines.push(`  - ${a}`)
  } else if (trace.status !== null && !trace.final) {
    lines.push('', `the API accepts no request that changes it now (${trace.status})`)
  }
  return lines.join('\n')
}
