// The dead letters page: grouped by failure fingerprint (event type, reason, error), each decoded where it decodes, with its headers and origin, a redrive (dry run, then confirmation), parked outbox rows and the audit trail.
import type { LetterState } from '@choreo/tools/lib/dead-letter-reads.ts'
import type { EventRecord } from '@choreo/tools/lib/event-record.ts'
import type { Parked } from '@choreo/tools/lib/parked-rows.ts'
import type { AuditEntry } from '../audit.ts'
import { html, type Html } from '../html.ts'
import { maskPersonalData, prettyJson } from '../personal-data.ts'

export interface ShownLetter extends LetterState {
  decoded: EventRecord
}

function letterItem({ letter, handledAt, decoded }: ShownLetter, reveal: boolean): Html {
  const o = letter.original
  return html`<li class="letter" id="${letter.id}" data-letter-id="${letter.id}">
  <div><strong>${letter.id}</strong> · order ${letter.key ? html`<a href="/orders/${encodeURIComponent(letter.key)}">${letter.key}</a>` : '(no key)'} · dead-lettered ${letter.at} by ${letter.group}
    · ${handledAt ? html`<span class="handled">handled since, at ${handledAt.toISOString()}</span>` : html`<span class="unhandled">not handled</span>`}</div>
  <div class="error">error: ${letter.error}</div>
  <div class="where">origin: ${o.topic}[${o.partition}]@${o.offset}</div>
  <details>
    <summary>body and headers</summary>
    ${decoded.error ? html`<p class="warning">the body does not decode: ${decoded.error}</p>` : html`<pre class="payload">${prettyJson(reveal ? decoded.payload : maskPersonalData(decoded.payload))}</pre>`}
    <table class="headers"><tbody>${Object.entries(letter.message.headers).map(([k, v]) => html`<tr><th>${k}</th><td>${v}</td></tr>`)}</tbody></table>
  </details>
  <div class="redrive">
    <button type="button" data-dry-run="${letter.id}">Redrive… (dry run first)</button>
    <div class="plan" hidden></div>
  </div>
</li>`
}

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi

/** A failure's error with what differs from letter to letter (ids, numbers) taken out, so that one failure is one group. */
export function errorShape(error: string): string {
  return error.replace(UUID, '<id>').replace(/\d+/g, '<n>')
}

function groupsOf(letters: readonly ShownLetter[]): Map<string, ShownLetter[]> {
  const groups = new Map<string, ShownLetter[]>()
  for (const l of letters) {
    const error = errorShape(l.letter.error)
    const fingerprint = `${l.letter.eventType ?? 'unknown event'} · ${l.letter.reason}${error ? ` · ${error}` : ''}`
    groups.set(fingerprint, [...(groups.get(fingerprint) ?? []), l])
  }
  return groups
}

export function deadLettersPage(letters: readonly ShownLetter[], parked: readonly Parked[], audit: readonly AuditEntry[], reveal: boolean): Html {
  const groups = [...groupsOf(letters)]
  return html`<h1>Dead letters</h1>
<p class="hint">${letters.length} dead letter(s) on the three services' dead-letter topics, grouped by event type, reason and error.
 ${reveal ? html`<a href="?">mask personal data</a>` : html`<a href="?reveal=1">reveal personal data</a>`}.
 A redrive puts the original bytes, key and headers back on the partition they were consumed from; the group's inbox drops a copy of an event it has handled.</p>
${groups.length === 0 ? html`<p class="empty">No dead letters.</p>` : groups.map(([fingerprint, members]) => html`<section class="group">
  <h2>${fingerprint} <small>(${members.length})</small></h2>
  ${members.length > 1 ? html`<div class="redrive group-redrive"><button type="button" data-dry-run="${members.map((m) => m.letter.id).join(' ')}">Redrive all ${members.length}… (dry run first)</button><div class="plan" hidden></div></div>` : ''}
  <ol class="letters">${members.map((m) => letterItem(m, reveal))}</ol>
</section>`)}
<h2>Parked outbox rows</h2>
${parked.length === 0 ? html`<p class="empty">No parked outbox rows.</p>` : html`<table class="parked"><thead><tr><th>Ref</th><th>Parked</th><th>Event</th><th>Order</th><th>Topic</th><th>Waiting</th><th>Reason</th><th></th></tr></thead><tbody>
${parked.map((p) => html`<tr data-parked="${p.ref}"><td>${p.ref}</td><td>${p.parkedAt.toISOString()}</td><td>${p.eventType}</td><td>${p.key}</td><td>${p.topic}</td><td>${p.waiting}</td><td>${p.reason}</td>
<td class="redrive"><button type="button" data-parked-verb="retry" data-ref="${p.ref}" data-question="Hand ${p.ref} back to ${p.service}'s relay (it goes before the ${p.waiting} row(s) of order ${p.key} that wait)?">Retry…</button>
<button type="button" data-parked-verb="discard" data-ref="${p.ref}" data-question="Discard ${p.ref} for good (it is never published; the ${p.waiting} row(s) of order ${p.key} that wait go on)?">Discard…</button><div class="plan" hidden></div></td></tr>`)}
</tbody></table><p class="hint">The same as <code>./choreo dlq retry|discard &lt;ref&gt;</code>: retry after fixing the cause (the topic created, the broker's limit raised).</p>`}
<h2>Audit</h2>
${audit.length === 0 ? html`<p class="empty">No repair yet.</p>` : html`<table class="audit"><thead><tr><th>When</th><th>Who</th><th>What</th><th>Result</th></tr></thead><tbody>
${audit.map((a) => html`<tr><td>${a.at}</td><td>${a.who}</td><td>${a.what}</td><td>${a.result}</td></tr>`)}
</tbody></table>`}`
}
