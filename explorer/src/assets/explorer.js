// The explorer's only script: live order rows (server-sent events), ages, and copy buttons. Every value goes in as text, never as markup.
/* global document, EventSource, navigator, setInterval, setTimeout -- a page's script: the browser's globals */
'use strict'

function ageOf(iso) {
  const s = Math.max(0, Math.floor((Date.now() - Date.parse(iso)) / 1000))
  if (s < 60) return s + ' s'
  if (s < 3600) return Math.floor(s / 60) + ' min'
  if (s < 86400) return Math.floor(s / 3600) + ' h'
  return Math.floor(s / 86400) + ' d'
}

function money(total) {
  if (!total) return '–'
  try {
    return new Intl.NumberFormat('en', { style: 'currency', currency: total.currency }).format(total.amount / 100)
  } catch {
    return (total.amount / 100).toFixed(2) + ' ' + total.currency
  }
}

function cell(text, field, className) {
  const td = document.createElement('td')
  td.dataset.field = field
  if (className) td.className = className
  td.textContent = text
  return td
}

function fill(tr, order) {
  tr.querySelector('[data-field="customerId"]').textContent = order.customerId
  const status = tr.querySelector('[data-field="status"]')
  status.replaceChildren(Object.assign(document.createElement('span'), { className: 'status', textContent: order.status }))
  tr.querySelector('[data-field="total"]').textContent = money(order.total)
  const stuck = tr.querySelector('[data-field="stuck"]')
  stuck.replaceChildren(...(order.stuck ? [Object.assign(document.createElement('span'), { className: 'stuck', textContent: 'stuck' })] : []))
  tr.classList.remove('changed')
  void tr.offsetWidth
  tr.classList.add('changed')
}

function newRow(order) {
  const tr = document.createElement('tr')
  tr.dataset.orderId = order.orderId
  tr.dataset.createdAt = order.createdAt
  const link = document.createElement('a')
  link.href = '/orders/' + encodeURIComponent(order.orderId)
  link.textContent = order.orderId
  const first = document.createElement('td')
  first.append(link)
  tr.append(first, cell('', 'customerId'), cell('', 'status'), cell('', 'total', 'num'), cell('', 'age', 'num'), cell('', 'stuck'))
  return tr
}

function liveOrders(table) {
  const body = table.tBodies[0]
  const search = table.dataset.search
  const rowOf = (id) => [...body.rows].find((r) => r.dataset.orderId === id)
  const source = new EventSource(table.dataset.live)
  source.addEventListener('order', (message) => {
    const order = JSON.parse(message.data)
    let tr = rowOf(order.orderId)
    if (!tr) {
      if (search && !order.orderId.startsWith(search) && !order.customerId.startsWith(search)) return
      tr = newRow(order)
      body.prepend(tr)
      document.querySelector('p.empty')?.remove()
    }
    fill(tr, order)
    tr.querySelector('[data-field="age"]').textContent = ageOf(order.createdAt)
  })
  const ages = () => { for (const r of body.rows) r.querySelector('[data-field="age"]').textContent = ageOf(r.dataset.createdAt) }
  ages()
  setInterval(ages, 1000)
}

document.addEventListener('DOMContentLoaded', () => {
  const table = document.getElementById('orders')
  if (table) liveOrders(table)
  document.addEventListener('click', (e) => {
    const button = e.target.closest('button[data-copy]')
    if (!button) return
    navigator.clipboard.writeText(button.dataset.copy).then(() => {
      const was = button.textContent
      button.textContent = 'copied'
      setTimeout(() => { button.textContent = was }, 1200)
    })
  })
})
