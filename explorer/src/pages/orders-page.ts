// The orders page: status, customer, total, age and the stuck mark of the newest orders, searchable, kept current by the feed.
import { formatMoney } from '@choreo/contracts'
import { html, type Html } from '../html.ts'
import { LIST_LIMIT, STUCK_AFTER_MS, type OrderRow } from '../orders.ts'

function orderRow(o: OrderRow): Html {
  return html`<tr data-order-id="${o.orderId}" data-created-at="${o.createdAt}">
  <td><a href="/orders/${encodeURIComponent(o.orderId)}">${o.orderId}</a></td>
  <td data-field="customerId">${o.customerId}</td>
  <td data-field="status"><span class="status">${o.status}</span></td>
  <td data-field="total" class="num">${o.total ? formatMoney(o.total) : '–'}</td>
  <td data-field="age" class="num"></td>
  <td data-field="stuck">${o.stuck ? html`<span class="stuck">stuck</span>` : ''}</td>
</tr>`
}

export function ordersPage(rows: readonly OrderRow[], search: string): Html {
  return html`<h1>Orders</h1>
<form class="search" method="get" action="/">
  <label>Order id or customer <input name="q" value="${search}" maxlength="64" pattern="[A-Za-z0-9_-]*" autocomplete="off"></label>
  <button>Search</button>${search ? html` <a href="/">clear</a>` : ''}
</form>
<p class="hint">The ${LIST_LIMIT} newest${search ? html` matching <code>${search}</code>` : ''}; updated live. <span class="stuck">stuck</span>: not final, placed over ${STUCK_AFTER_MS / 1000} s ago, and waiting on something (the rule of <code>./choreo saga stuck</code>).</p>
<table id="orders" data-live="/events/orders" data-search="${search}">
<thead><tr><th>Order</th><th>Customer</th><th>Status</th><th>Total</th><th>Age</th><th></th></tr></thead>
<tbody>
${rows.map(orderRow)}
</tbody>
</table>
${rows.length === 0 ? html`<p class="empty">No order${search ? ' matches' : ' yet'}.</p>` : ''}`
}
