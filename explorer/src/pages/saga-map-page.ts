// The saga as a picture derived from the saga tables: every event, who publishes it, each service's step for it (what it emits, what undoes it), and how many orders are at each status now.
import { eventSchemas, type EventType } from '@choreo/contracts'
import { ORDER_STATUSES } from '@choreo/order-service'
import { factsOf, producerOf, sagas, services } from '@choreo/tools/lib/services.ts'
import { html, type Html } from '../html.ts'

function stepCell(type: EventType, service: (typeof services)[number]): Html {
  const entry = sagas[service][type]
  const fact = factsOf[service]?.[type]
  if (!entry && !fact) return html`<td></td>`
  const step = (entry ?? fact)!
  const compensation = Object.values(sagas).some((page) => Object.values(page).some((e) => e?.undoneBy.includes(type)))
  return html`<td class="step${compensation ? ' compensation' : ''}">
  <strong>${step.name}</strong>${fact && !entry ? html` <small>(facts)</small>` : ''}
  ${step.emits.length > 0 ? html`<div>→ ${step.emits.join(' | ')}</div>` : ''}
  ${step.undoneBy.length > 0 ? html`<div class="undoes">undone by ${step.undoneBy.join(', ')}</div>` : ''}
  <div class="does">${step.does}</div>
</td>`
}

export function sagaMapPage(counts: ReadonlyMap<string, number>): Html {
  // Grouped by publisher, in the services' order.
  const types = (Object.keys(eventSchemas) as EventType[]).sort((a, b) => services.indexOf(producerOf(a)) - services.indexOf(producerOf(b)) || a.localeCompare(b))
  return html`<h1>The saga</h1>
<p class="hint">Derived from the three services' saga tables (<code>*/src/saga.ts</code>): each event, the service that publishes it, and each service's step for it. Red: a compensation (some step's <code>undoneBy</code> names the event).</p>
<h2>Orders by status now</h2>
<table class="counts"><thead><tr>${ORDER_STATUSES.map((s) => html`<th>${s}</th>`)}</tr></thead>
<tbody><tr>${ORDER_STATUSES.map((s) => html`<td class="num" data-status="${s}">${counts.get(s) ?? 0}</td>`)}</tr></tbody></table>
<h2>Who reacts to what</h2>
<table class="saga-map"><thead><tr><th>event</th><th>published by</th>${services.map((s) => html`<th>${s}</th>`)}</tr></thead>
<tbody>${types.map((type) => html`<tr data-event-type="${type}"><th>${type}</th><td class="lane-${services.indexOf(producerOf(type)) + 1}">${producerOf(type)}</td>${services.map((s) => stepCell(type, s))}</tr>`)}</tbody></table>`
}
