// One order's saga page: the timeline across the three services from the saga-trace library, compensations as their branch, what is missing or may come next, and every event decoded.
import { formatMoney, type Money } from '@choreo/contracts'
import { formatSpan } from '@choreo/tools/lib/duration.ts'
import type { SagaFacts } from '@choreo/tools/lib/saga-facts.ts'
import type { Consumption, SagaTrace } from '@choreo/tools/lib/saga-trace.ts'
import { services } from '@choreo/tools/lib/services.ts'
import { html, type Html } from '../html.ts'
import { maskPersonalData, prettyJson } from '../personal-data.ts'
import { viewOf, type ViewStep } from '../saga-view.ts'
import type { SubjectVersion } from '../schema-versions.ts'

export interface SagaPageOptions {
  reveal: boolean
  /** The kcat configuration file the copied commands name. */
  kcatConfig: string
  prefix: string
  /** Each schema id's subject and version in the registry. */
  schemas: ReadonlyMap<number, readonly SubjectVersion[]>
}

/** A word for the shell: single-quoted unless it is plainly safe. */
function shellWord(word: string): string {
  return /^[\w./:@=-]+$/.test(word) ? word : `'${word.replaceAll("'", "'\\''")}'`
}

const STATE_MARK: Record<Consumption['state'], string> = { handled: '✓', 'dead-lettered': '✗ dead-lettered', 'not consumed yet': '… not consumed yet', 'consumed, not recorded': '? no inbox row' }

function consumerCell(c: Consumption): Html {
  return html`<li class="consumer ${c.state.replaceAll(/[ ,]+/g, '-')}" title="${c.detail ?? ''}">${c.group} ${STATE_MARK[c.state]}${c.afterMs === undefined ? '' : html` <span class="hop">publish → consume ${formatSpan(c.afterMs)}</span>`}${c.handledAt ? html` <time>${c.handledAt.slice(11, 23)}</time>` : ''}</li>`
}

function eventRow(view: ViewStep, options: SagaPageOptions, orderId: string): Html {
  const s = view.step
  const unprefixed = options.prefix && s.topic.startsWith(options.prefix) ? s.topic.slice(options.prefix.length) : s.topic
  const kcat = `kcat -F ${shellWord(options.kcatConfig)} -C -t ${shellWord(s.topic)} -p ${s.partition} -o ${s.offset} -c 1 -e -J | ./choreo decode`
  const choreo = `./choreo events tail ${shellWord(unprefixed)} --key ${shellWord(orderId)} --from-beginning${options.prefix ? ` --prefix ${shellWord(options.prefix)}` : ''}`
  const payload = options.reveal ? s.payload : maskPersonalData(s.payload)
  const lane = services.indexOf(s.producer) + 1
  return html`<li class="event${view.compensation ? ' compensation' : ''}" data-event-type="${s.type}" data-lane="${lane}">
  <div class="when"><time>${s.at.slice(11, 23)}</time>${s.sincePreviousMs === null ? '' : html`<span class="since">+${formatSpan(s.sincePreviousMs)}</span>`}</div>
  <div class="card lane-${lane}">
    <div class="title"><strong class="type">${s.type}</strong>${s.copies > 1 ? html` <span class="copies">×${s.copies}</span>` : ''}
      ${view.compensation ? html`<span class="badge compensation">compensation</span>` : ''} <span class="by">by ${s.producer}</span></div>
    ${view.undoes.length > 0 ? html`<div class="undoes">undoes ${view.undoes.map((u, i) => html`${i > 0 ? ', ' : ''}${u.service}'s ${u.step} (${u.handler})`)}</div>` : ''}
    <div class="where">${s.topic}[${s.partition}]@${s.offset} · schema id ${s.schemaId}${(options.schemas.get(s.schemaId) ?? []).map((v) => html` (${v.subject} v${v.version})`)} · event ${s.eventId}</div>
    <div class="hops">commit → publish ${formatSpan(Date.parse(s.publishedAt) - Date.parse(s.at))}</div>
    <ul class="consumers">${s.consumers.length === 0 ? html`<li class="consumer none">no service reacts</li>` : s.consumers.map(consumerCell)}</ul>
    <details>
      <summary>payload and headers</summary>
      <pre class="payload">${prettyJson(payload)}</pre>
      <table class="headers"><tbody>${Object.entries(s.headers).map(([k, v]) => html`<tr><th>${k}</th><td>${v}</td></tr>`)}</tbody></table>
      <div class="copy"><button type="button" data-copy="${kcat}">copy as kcat command</button> <button type="button" data-copy="${choreo}">copy as ./choreo command</button></div>
    </details>
  </div>
</li>`
}

function stateOfServices(facts: SagaFacts, trace: SagaTrace): Html {
  const o = trace.order
  const r = facts.reservation
  return html`<section class="services">
  <div class="lane-1"><h3>order-service</h3>${o ? html`<p><span class="status">${trace.status}</span>${trace.final ? ' (final)' : ''} · customer ${o.customerId} · total ${o.total ? formatMoney(o.total) : '–'}</p>
    ${o.reason ? html`<p>reason: ${o.reason}</p>` : ''}
    <ol class="history">${facts.history.map((h) => html`<li><time>${h.at.toISOString().slice(11, 23)}</time> ${h.event} → ${h.status}${h.reason ? html` <em>${h.reason}</em>` : ''}</li>`)}</ol>` : html`<p>no such order</p>`}</div>
  <div class="lane-2"><h3>stock-service</h3>${r ? html`<p>reservation ${r.status} · paid ${formatMoney({ amount: r.paid, currency: r.total.currency })} of ${formatMoney(r.total)}</p>
    <ul>${r.lines.map((l) => html`<li>${l.quantity} × ${l.productId} at ${formatMoney(l.unitPrice)}</li>`)}</ul>
    ${r.scheduled ? html`<p>ships at ${r.scheduled.at.toISOString()}</p>` : ''}` : html`<p>no reservation</p>`}
    ${facts.shipments.map((s) => html`<p>shipment ${s.shipmentId}: ${s.status} with ${s.carrier} ${s.trackingNumber}</p>`)}</div>
  <div class="lane-3"><h3>payment-service</h3><ul>${trace.steps.filter((s) => s.producer === 'payment-service').map((s) => html`<li>${s.type}${typeof s.payload.amount === 'object' && s.payload.amount !== null ? html` ${formatMoney(s.payload.amount as Money)}` : ''}${typeof s.payload.reason === 'string' ? html` (${s.payload.reason})` : ''}</li>`)}</ul></div>
</section>`
}

export function sagaPage(facts: SagaFacts, trace: SagaTrace, options: SagaPageOptions): Html {
  const { steps, expected } = viewOf(trace)
  const toggle = options.reveal ? html`<a href="?">mask personal data</a>` : html`<a href="?reveal=1" class="reveal">reveal personal data</a>`
  return html`<h1>Order <code>${trace.orderId}</code></h1>
<p class="summary"><span class="status">${trace.status ?? 'unknown'}</span> ${trace.final ? '(final)' : '(not final)'}
 ${trace.traceIds.length > 0 ? html`· trace id <code>${trace.traceIds.join(', ')}</code>` : ''} · ${toggle}
 · <button type="button" data-copy="./choreo saga trace ${shellWord(trace.orderId)}${options.prefix ? ` --prefix ${shellWord(options.prefix)}` : ''}">copy as ./choreo command</button></p>
${stateOfServices(facts, trace)}
<h2>Timeline</h2>
<div class="lanes-head"><span></span>${services.map((s) => html`<span>${s}</span>`)}</div>
<ol class="timeline">
${steps.length === 0 ? html`<li class="empty">no event of this order is on the topics</li>` : steps.map((v) => eventRow(v, options, trace.orderId))}
</ol>
<h2>What is missing</h2>
${trace.missing.length > 0 ? html`<ul class="missing">${trace.missing.map((m) => html`<li>${m}</li>`)}</ul>`
    : html`<p>${trace.atRest ?? (trace.final ? `complete: every event was handled by every service that reacts to it, and ${trace.status} is final` : 'nothing')}</p>`}
${expected.length > 0 ? html`<h2>May come next</h2><ul class="expected">${expected.map((e) => html`<li>after ${e.after}: ${e.service}'s ${e.handler} may emit ${e.oneOf.join(' | ')} <small>(${e.does})</small></li>`)}</ul>` : ''}
${trace.deadLetters.length > 0 ? html`<h2>Dead letters</h2><ul>${trace.deadLetters.map((d) => html`<li><a href="/dead-letters#${d.id}">${d.id}</a> ${d.eventType ?? '?'} by ${d.group}: ${d.reason}: ${d.error}</li>`)}</ul>` : ''}
${trace.accepts.length > 0 ? html`<h2>The API accepts now</h2><ul>${trace.accepts.map((a) => html`<li><code>${a}</code></li>`)}</ul>` : ''}`
}
