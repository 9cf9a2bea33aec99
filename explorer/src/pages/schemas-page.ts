// The schemas page: the saga's subjects with their versions and compatibility mode, and a diff between two versions of one.
import { html, type Html } from '../html.ts'
import type { DiffLine, SchemaVersion, Subject } from '../schemas.ts'

const MARK = { same: ' ', added: '+', removed: '-' } as const

export interface Comparison {
  subject: string
  a: SchemaVersion
  b: SchemaVersion
  diff: DiffLine[]
}

export function schemasPage(subjects: readonly Subject[], comparison: Comparison | null): Html {
  return html`<h1>Schemas</h1>
<p class="hint">The saga's subjects in the registry (topic-record-name: <code>&lt;topic&gt;-&lt;record&gt;</code>), with their versions and compatibility mode. Pick two versions of a subject to see what changed.</p>
<table class="subjects"><thead><tr><th>Subject</th><th>Versions</th><th>Compatibility</th><th>Compare</th></tr></thead><tbody>
${subjects.map((s) => html`<tr data-subject="${s.name}"><td>${s.name}</td><td>${s.versions.join(', ')}</td><td>${s.compatibility}</td>
<td><form method="get" action="/schemas"><input type="hidden" name="subject" value="${s.name}">
<select name="a">${s.versions.map((v, i) => html`<option${i === Math.max(0, s.versions.length - 2) ? html` selected` : ''}>${v}</option>`)}</select> →
<select name="b">${s.versions.map((v, i) => html`<option${i === s.versions.length - 1 ? html` selected` : ''}>${v}</option>`)}</select>
<button>diff</button></form></td></tr>`)}
</tbody></table>
${comparison ? html`<h2>${comparison.subject}: version ${comparison.a.version} (id ${comparison.a.id}) → ${comparison.b.version} (id ${comparison.b.id})</h2>
<pre class="diff">${comparison.diff.map((l) => html`<span class="${l.kind}">${MARK[l.kind]} ${l.text}</span>\n`)}</pre>` : ''}`
}
