// The saga as a picture derived from the saga tables: every event, who publishes it, each service's step for it (what it emits, what undoes it), and how many orders are at each status now.
import { eventSchemas, type EventType } from '@choreo/contracts'
import { ORDER_STATUSES } from '@choreo/order-service'
import { factsOf, producerOf, sagas, services } from '@choreo/tools/lib/services.ts'
import { html, type Html } from '../html.ts'
import { sagaDiagram, type Rect, type SagaDiagram } from '../saga-diagram.ts'

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

const ARROW_HEAD = 'M 0 0 L 10 5 L 0 10 z'
// Between the two lines of an event's name split in its box.
const NAME_LINE = 13

/** The diagram as inline SVG: classes for the colours (the page allows no inline style), every text escaped. */
function diagramSvg(d: SagaDiagram): Html {
  const marker = (id: string, kind: string) =>
    html`<marker id="${id}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto"><path class="arrow-head${kind}" d="${ARROW_HEAD}"/></marker>`
  const middle = (r: Rect) => ({ x: r.x + r.width / 2, y: r.y + r.height / 2 })
  return html`<svg class="saga-diagram" viewBox="0 0 ${d.width} ${d.height}" width="100%" role="img" aria-labelledby="saga-diagram-title">
<title id="saga-diagram-title">The saga: each event in the lane of the service that publishes it, an arrow to each event a step reacting to it emits; below, the orders at each status now</title>
<defs>${marker('saga-arrow', '')}${marker('saga-arrow-compensation', ' compensation')}</defs>
${d.lanes.map((l) => html`<g class="lane lane-${l.index + 1}"><rect class="lane-band" x="${l.x}" y="${l.y}" width="${l.width}" height="${l.height}"/><text class="lane-name" x="${l.x + 10}" y="${l.y + 15}">${l.service}</text></g>`)}
${d.arrows.map((a) => html`<g class="arrow${a.compensation ? ' compensation' : ''}" data-from="${a.from}" data-to="${a.to}" data-step="${a.step}"><title>${a.from} → ${a.to}: ${a.service}'s ${a.step}</title><path class="hit" d="${a.path}"/><path d="${a.path}" marker-end="url(#saga-arrow${a.compensation ? '-compensation' : ''})"/></g>`)}
${d.arrows.filter((a) => a.label).map((a) => html`<g class="arrow-label"><rect x="${a.label!.x}" y="${a.label!.y}" width="${a.label!.width}" height="${a.label!.height}" rx="3"/><text x="${middle(a.label!).x}" y="${middle(a.label!).y}" text-anchor="middle" dominant-baseline="central">${a.step}</text></g>`)}
${d.boxes.map((b) => html`<g class="event lane-${b.lane + 1}${b.compensation ? ' compensation' : ''}" data-event-type="${b.type}"><title>${b.type}, published by ${b.service}${b.compensation ? ': a compensation' : ''}</title><rect x="${b.x}" y="${b.y}" width="${b.width}" height="${b.height}" rx="4"/>${b.lines.map((line, i) => html`<text x="${middle(b).x}" y="${middle(b).y + (i - (b.lines.length - 1) / 2) * NAME_LINE}" text-anchor="middle" dominant-baseline="central">${line}</text>`)}</g>`)}
<text class="status-caption" x="${d.caption.x}" y="${d.caption.y}">Orders by status now, and the events that move an order into each status (order-service's status rules)</text>
${d.statuses.map((s) => html`<g class="status-node" data-status="${s.status}"><title>${s.status}: ${s.count} order(s) now${s.reachedBy.map((r) => html`; ${r.event} from ${r.from.join(', ')}`)}</title><rect x="${s.x}" y="${s.y}" width="${s.width}" height="${s.height}" rx="6"/>
<text class="count" x="${middle(s).x}" y="${s.y + 19}" text-anchor="middle" dominant-baseline="central">${s.count}</text><text class="status-name" x="${middle(s).x}" y="${s.y + 36}" text-anchor="middle" dominant-baseline="central">${s.status}</text>
${s.reachedBy.map((r, i) => html`<text class="reached-by" x="${middle(s).x}" y="${s.y + s.height + (i + 1) * d.lineHeight}" text-anchor="middle">← ${r.event}</text>`)}</g>`)}
</svg>`
}

export function sagaMapPage(counts: ReadonlyMap<string, number>): Html {
  // Grouped by publisher, in the services' order.
  const types = (Object.keys(eventSchemas) as EventType[]).sort((a, b) => services.indexOf(producerOf(a)) - services.indexOf(producerOf(b)) || a.localeCompare(b))
  return html`<h1>The saga</h1>
<p class="hint">Derived from the three services' saga tables (<code>*/src/saga.ts</code>): each event, the service that publishes it, and each service's step for it. Red: a compensation (some step's <code>undoneBy</code> names the event). Hover an arrow for the step that emits it.</p>
${diagramSvg(sagaDiagram(counts))}
<h2>Orders by status now</h2>
<table class="counts"><thead><tr>${ORDER_STATUSES.map((s) => html`<th>${s}</th>`)}</tr></thead>
<tbody><tr>${ORDER_STATUSES.map((s) => html`<td class="num" data-status="${s}">${counts.get(s) ?? 0}</td>`)}</tr></tbody></table>
<h2>Who reacts to what</h2>
<table class="saga-map"><thead><tr><th>event</th><th>published by</th>${services.map((s) => html`<th>${s}</th>`)}</tr></thead>
<tbody>${types.map((type) => html`<tr data-event-type="${type}"><th>${type}</th><td class="lane-${services.indexOf(producerOf(type)) + 1}">${producerOf(type)}</td>${services.map((s) => stepCell(type, s))}</tr>`)}</tbody></table>`
}
