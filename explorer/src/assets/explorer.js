// The explorer's only script: live order rows (server-sent events), ages, and copy buttons. Every value goes in as text, never as markup.
/* global document, EventSource, fetch, location, navigator, setInterval, setTimeout -- a page's script: the browser's globals */
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

function element(tag, text, className) {
  const e = document.createElement(tag)
  if (text !== undefined) e.textContent = text
  if (className) e.className = className
  return e
}

async function post(path, body) {
  const res = await fetch(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
  return { status: res.status, body: await res.json() }
}

// A redrive of one dead letter or a group: the dry run shows what each target inbox will do and what
// it would overtake; only then a confirmation sends it, and an overtaking one needs its own tick.
async function dryRun(button) {
  const ids = button.dataset.dryRun.split(' ')
  const box = button.parentElement.querySelector('.plan')
  box.hidden = false
  box.replaceChildren(element('p', 'dry run…'))
  const { status, body } = await post('/dead-letters/dry-run', { ids })
  if (status !== 200) return box.replaceChildren(element('p', body.message, 'warning'))
  const lines = []
  let overtakes = false
  for (const plan of body.plans) {
    lines.push(element('p', 'Dry run: ' + plan.id + ' back to ' + plan.target.topic + '[' + plan.target.partition + '] for ' + plan.group + '; its inbox will '
      + (plan.inbox === 'apply' ? 'apply it' : 'drop it as a duplicate (handled at ' + plan.handledAt + ')') + '.', 'dry-run'))
    if (plan.overtakes.length === 0) continue
    overtakes = true
    const warning = element('div', undefined, 'warning overtakes')
    warning.append(element('p', 'Warning: this redrive would overtake ' + plan.overtakes.length + ' earlier event(s) of order ' + plan.orderId + ' that ' + plan.group + ' has not handled:'))
    const list = element('ul')
    for (const o of plan.overtakes) list.append(element('li', o.type + ' of ' + o.at + ' (' + o.state + ')'))
    warning.append(list)
    lines.push(warning)
  }
  let acknowledge = null
  if (overtakes) {
    acknowledge = element('input')
    acknowledge.type = 'checkbox'
    acknowledge.name = 'overtaking'
    const label = element('label', undefined, 'warning')
    label.append(acknowledge, ' redrive it anyway, ahead of them')
    lines.push(label)
  }
  const confirm = element('button', 'Confirm redrive of ' + (ids.length === 1 ? ids[0] : ids.length + ' dead letters'), 'confirm')
  confirm.type = 'button'
  const result = element('p', '', 'result')
  confirm.addEventListener('click', async () => {
    if (acknowledge && !acknowledge.checked) {
      result.textContent = 'Tick "redrive it anyway" first: it overtakes earlier events.'
      return
    }
    confirm.disabled = true
    const sent = await post('/dead-letters/redrive', { ids, confirm: true, overtaking: Boolean(acknowledge && acknowledge.checked) })
    result.textContent = sent.status === 200 ? 'Redriven: ' + sent.body.result : 'Not redriven: ' + sent.body.message
    if (sent.status === 200) setTimeout(() => location.reload(), 800)
    else confirm.disabled = false
  })
  lines.push(confirm, result)
  box.replaceChildren(...lines)
}

// A parked outbox row: retry or discard, each after its own question and confirmation.
function parkedAction(button) {
  const box = button.parentElement.querySelector('.plan')
  box.hidden = false
  const confirm = element('button', 'Confirm ' + button.dataset.parkedVerb, 'confirm')
  confirm.type = 'button'
  const result = element('p', '', 'result')
  confirm.addEventListener('click', async () => {
    confirm.disabled = true
    const sent = await post('/parked/' + button.dataset.parkedVerb, { ref: button.dataset.ref, confirm: true })
    result.textContent = sent.status === 200 ? sent.body.result : 'Nothing changed: ' + sent.body.message
    if (sent.status === 200) setTimeout(() => location.reload(), 800)
  })
  box.replaceChildren(element('p', button.dataset.question, 'question'), confirm, result)
}

document.addEventListener('DOMContentLoaded', () => {
  const table = document.getElementById('orders')
  if (table) liveOrders(table)
  document.addEventListener('click', (e) => {
    const run = e.target.closest('button[data-dry-run]')
    if (run) void dryRun(run)
    const parked = e.target.closest('button[data-parked-verb]')
    if (parked) parkedAction(parked)
    const button = e.target.closest('button[data-copy]')
    if (!button) return
    navigator.clipboard.writeText(button.dataset.copy).then(() => {
      const was = button.textContent
      button.textContent = 'copied'
      setTimeout(() => { button.textContent = was }, 1200)
    })
  })
})
