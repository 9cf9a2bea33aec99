// The topics and groups page: each consumer group's lag per partition, and one topic's messages decoded, by partition, offset, key or event type.
import type { EventRecord } from '@choreo/tools/lib/event-record.ts'
import { html, type Html } from '../html.ts'
import { maskPersonalData, prettyJson } from '../personal-data.ts'
import type { MessageQuery, PartitionLag } from '../topics.ts'

function lagTable(lags: readonly PartitionLag[]): Html {
  return html`<table class="lags"><thead><tr><th>Group</th><th>Topic</th><th>Partition</th><th>Committed</th><th>End</th><th>Lag</th></tr></thead><tbody>
${lags.map((l) => html`<tr${l.lag > 0n ? html` class="behind"` : ''}><td>${l.group}</td><td>${l.topic}</td><td class="num">${l.partition}</td><td class="num">${l.committed === null ? '–' : l.committed}</td><td class="num">${l.high}</td><td class="num">${l.lag}</td></tr>`)}
</tbody></table>`
}

function messageRow(r: EventRecord, reveal: boolean): Html {
  return html`<tr><td class="num">${r.partition}</td><td class="num">${r.offset}</td><td><time>${r.timestamp}</time></td><td>${r.key ?? ''}</td>
<td>${r.type ?? r.headers['event-type'] ?? ''}${r.schemaId === undefined ? '' : html` <small>schema ${r.schemaId}</small>`}</td>
<td><details><summary>${r.error ? html`<span class="warning">does not decode</span>` : 'payload and headers'}</summary>
${r.error ? html`<p class="warning">${r.error}</p>` : html`<pre class="payload">${prettyJson(reveal ? r.payload : maskPersonalData(r.payload))}</pre>`}
<table class="headers"><tbody>${Object.entries(r.headers).map(([k, v]) => html`<tr><th>${k}</th><td>${v}</td></tr>`)}</tbody></table></details></td></tr>`
}

export function topicsPage(topics: readonly string[], query: MessageQuery, records: readonly EventRecord[], lags: readonly PartitionLag[], reveal: boolean): Html {
  return html`<h1>Topics and groups</h1>
<h2>Messages</h2>
<form class="search" method="get" action="/topics">
  <label>Topic <select name="topic">${topics.map((t) => html`<option${t === query.topic ? html` selected` : ''}>${t}</option>`)}</select></label>
  <label>Partition <input name="partition" type="number" min="0" max="999" value="${query.partition ?? ''}"></label>
  <label>From offset <input name="from" type="number" min="0" value="${query.from ?? ''}"></label>
  <label>From time (UTC) <input name="since" type="datetime-local" step="0.001" value="${query.since === undefined ? '' : new Date(query.since).toISOString().slice(0, 23)}"></label>
  <label>Last <input name="last" type="number" min="1" max="500" value="${query.last}"></label>
  <label>Key (order) <input name="key" maxlength="64" value="${query.key ?? ''}"></label>
  <label>Event type <input name="type" maxlength="64" value="${query.type ?? ''}"></label>
  <button>Read</button>
</form>
<p class="hint">${query.from !== undefined ? `From offset ${query.from}, ${query.last} at most per partition`
  : query.since !== undefined ? `From ${new Date(query.since).toISOString()}, ${query.last} at most per partition` : `The newest ${query.last} of each partition`}; key and event type filter what was read. ${reveal ? html`<a href="?">mask personal data</a>` : ''}</p>
${records.length === 0 ? html`<p class="empty">No message.</p>` : html`<table class="messages"><thead><tr><th>Partition</th><th>Offset</th><th>Time</th><th>Key</th><th>Event</th><th></th></tr></thead><tbody>${records.map((r) => messageRow(r, reveal))}</tbody></table>`}
<h2>Consumer groups: lag per partition</h2>
${lagTable(lags)}`
}
