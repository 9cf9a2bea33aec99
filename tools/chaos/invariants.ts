/*
 * The invariants a chaos run must leave intact, checked on a snapshot of the three databases and
 * the topics once the system is quiescent. Pure: snapshot.ts gathers the data, this decides.
 * Effects are checked, not log lines: the inbox's primary key makes a second claim impossible,
 * so "applied at most once" is checked on what an application would change (charges, refunds,
 * shipments, history rows, stock and money totals).
 */

import { isTerminal, ORDER_STATUSES } from '@choreo/order-service'

/** order-service's own end states (a SHIPPED order is not one: the load delivers it). */
export const TERMINAL_STATUSES: ReadonlySet<string> = new Set(ORDER_STATUSES.filter(isTerminal))
/** payment-service's reasons for an order's first charge and its one compensation refund. */
const INITIAL_CHARGE_REASON = 'order total'
const RELEASE_REFUND_REASON = 'released'
/** payment-service's reason for the refund of a modification that lowered the total (stock subtracts it from what is paid). */
const ADJUSTED_REFUND_REASON = 'adjusted'

export interface Snapshot {
  orders: { orderId: string; customerId: string; status: string; total: number | null }[]
  orderLines: Line[]
  /** order-service's history rows that were caused by an event. */
  history: { orderId: string; eventId: string }[]
  products: { productId: string; available: number; reserved: number }[]
  /** `paid`: what stock-service counts as paid (reservations.paid_amount): PaymentCompleted amounts less adjusted refunds. */
  reservations: { orderId: string; status: string; total: number; paid: number }[]
  reservationLines: Line[]
  shipments: { orderId: string; status: string }[]
  customers: { customerId: string; balance: number }[]
  deposits: { depositId: string; customerId: string; amount: number }[]
  payments: { orderId: string; customerId: string; kind: 'CHARGE' | 'REFUND'; amount: number; reason: string }[]
  orderPayments: { orderId: string; charged: number; refunded: number }[]
  outbox: { service: string; id: number; eventId: string; aggregateId: string; topic: string; published: boolean }[]
  inbox: { service: string; eventId: string }[]
  /** Every message on the event topics, in (topic, partition, offset) order. */
  messages: Message[]
  deadLetters: { topic: string; key: string | null; eventId: string | null; eventType: string | null; reason: string | null }[]
}

export interface Line { orderId: string; productId: string; quantity: number }

export interface Message {
  topic: string
  partition: number
  offset: bigint
  key: string | null
  eventId: string | null
  eventType: string | null
}

export interface Expectations {
  openingStock: ReadonlyMap<string, number>
  openingBalance: ReadonlyMap<string, number>
  /** Orders and deposits whose creation was answered 201. */
  confirmedOrders: ReadonlySet<string>
  confirmedDeposits: ReadonlySet<string>
  /** Per service: the topics its consumer reads and the event types its saga handles. */
  consumers: Readonly<Record<string, { topics: readonly string[]; handles: ReadonlySet<string> }>>
  /** The service whose history records every event of an order (order-service). */
  historyService: string
  /** Copies the duplicate faults put on the topics, to tell them from the relay's re-sends. */
  duplicatedMessages: number
}

/** What a violation means for the summary: a lost thing, an effect applied twice, or another broken rule. */
export type Consequence = 'lost' | 'duplicated' | 'other'

const RULES = {
  'order-not-terminal': 'other',
  'confirmed-order-missing': 'lost',
  'confirmed-deposit-missing': 'lost',
  'saga-inconsistent': 'other',
  'stock-not-conserved': 'other',
  'stock-negative': 'other',
  'stock-reserved-mismatch': 'other',
  'money-not-conserved': 'other',
  'order-payment-mismatch': 'other',
  'paid-amount-mismatch': 'duplicated',
  'charged-twice': 'duplicated',
  'refunded-twice': 'duplicated',
  'shipped-twice': 'duplicated',
  'history-duplicate': 'duplicated',
  'history-missing': 'lost',
  'outbox-unpublished': 'lost',
  'outbox-not-on-topic': 'lost',
  'message-without-origin': 'other',
  'key-split-across-partitions': 'other',
  'order-of-events': 'other',
  'not-consumed': 'lost',
  'dead-lettered': 'lost',
} as const satisfies Record<string, Consequence>

export type Rule = keyof typeof RULES

export interface Violation {
  rule: Rule
  /** What it is about: an order, product, customer or event id. */
  subject: string
  detail: string
}

export interface Verdict {
  violations: Violation[]
  /** Distinct things lost (orders, deposits, events). */
  lost: number
  /** Effects applied more than once. */
  duplicatedEffects: number
  stats: {
    orders: Record<string, number>
    events: number
    /** Messages on the topics beyond the first copy of each event. */
    copies: number
    /** Copies not made by the duplicate faults: the relay re-sent after a kill or an outage. */
    relayResends: number
    deadLetters: number
    /** Dead letters per `dlt-reason` ('undecodable', 'handler failed', 'retries exhausted', …). */
    deadLettersByReason: Record<string, number>
  }
}

export function checkInvariants(s: Snapshot, x: Expectations): Verdict {
  const violations: Violation[] = []
  const fail = (rule: Rule, subject: string, detail: string) => violations.push({ rule, subject, detail })

  checkOrders(s, x, fail)
  checkStock(s, x, fail)
  checkMoney(s, x, fail)
  checkEffectsOnce(s, fail)
  const topics = checkTopics(s, x, fail)

  const lostSubjects = new Set(violations.filter((v) => RULES[v.rule] === 'lost').map((v) => v.subject))
  const orders: Record<string, number> = {}
  for (const o of s.orders) orders[o.status] = (orders[o.status] ?? 0) + 1
  const deadLettersByReason: Record<string, number> = {}
  for (const d of s.deadLetters) deadLettersByReason[d.reason ?? 'no reason'] = (deadLettersByReason[d.reason ?? 'no reason'] ?? 0) + 1
  return {
    violations,
    lost: lostSubjects.size,
    duplicatedEffects: violations.filter((v) => RULES[v.rule] === 'duplicated').length,
    stats: { orders, ...topics, relayResends: Math.max(0, topics.copies - x.duplicatedMessages), deadLetters: s.deadLetters.length, deadLettersByReason },
  }
}

type Fail = (rule: Rule, subject: string, detail: string) => void

function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const out = new Map<string, T[]>()
  for (const item of items) {
    const k = key(item)
    const list = out.get(k)
    if (list) list.push(item)
    else out.set(k, [item])
  }
  return out
}

const sum = (values: readonly number[]) => values.reduce((a, b) => a + b, 0)
const linesKey = (lines: readonly Line[]) => lines.map((l) => `${l.productId}x${l.quantity}`).sort().join(',')

/** Every order ended, and the three services agree on how. */
function checkOrders(s: Snapshot, x: Expectations, fail: Fail): void {
  const orderIds = new Set(s.orders.map((o) => o.orderId))
  for (const id of x.confirmedOrders) if (!orderIds.has(id)) fail('confirmed-order-missing', id, 'answered 201 but not in order-service')

  const reservations = new Map(s.reservations.map((r) => [r.orderId, r]))
  const shipments = groupBy(s.shipments, (sh) => sh.orderId)
  const payments = groupBy(s.payments, (p) => p.orderId)
  const orderLines = groupBy(s.orderLines, (l) => l.orderId)
  const reservedLines = groupBy(s.reservationLines, (l) => l.orderId)

  for (const o of s.orders) {
    if (!TERMINAL_STATUSES.has(o.status)) {
      fail('order-not-terminal', o.orderId, `status ${o.status}`)
      continue
    }
    const reservation = reservations.get(o.orderId)
    const shipment = shipments.get(o.orderId)?.[0]
    const net = sum((payments.get(o.orderId) ?? []).map((p) => (p.kind === 'CHARGE' ? p.amount : -p.amount)))
    const problems: string[] = []
    if (o.status === 'DELIVERED') {
      if (reservation?.status !== 'SHIPPED') problems.push(`reservation ${reservation?.status ?? 'missing'}, not SHIPPED`)
      if (shipment?.status !== 'DELIVERED') problems.push(`shipment ${shipment?.status ?? 'missing'}, not DELIVERED`)
      if (reservation && net !== reservation.total) problems.push(`charged ${net} net for a reservation of ${reservation.total}`)
      if (reservation && o.total !== reservation.total) problems.push(`order total ${o.total}, reservation total ${reservation.total}`)
      const ordered = linesKey(orderLines.get(o.orderId) ?? [])
      const reserved = linesKey(reservedLines.get(o.orderId) ?? [])
      if (ordered !== reserved) problems.push(`order lines ${ordered}, reserved lines ${reserved}`)
    } else {
      // REJECTED never reserved; CANCELLED released or never reserved: either way nothing kept.
      const allowed = o.status === 'CANCELLED' ? [undefined, 'RELEASED'] : [undefined]
      if (!allowed.includes(reservation?.status)) problems.push(`reservation ${reservation?.status}`)
      if (shipment) problems.push(`shipment ${shipment.status}`)
      if (net !== 0) problems.push(`${net} still charged`)
    }
    if (problems.length > 0) fail('saga-inconsistent', o.orderId, `${o.status}: ${problems.join('; ')}`)
  }
}

/** On hand at the start = available + reserved + shipped, never below zero, nothing left reserved for an ended order. */
function checkStock(s: Snapshot, x: Expectations, fail: Fail): void {
  const reservationStatus = new Map(s.reservations.map((r) => [r.orderId, r.status]))
  const units = (status: string) => {
    const byProduct = new Map<string, number>()
    for (const line of s.reservationLines) {
      if (reservationStatus.get(line.orderId) === status) byProduct.set(line.productId, (byProduct.get(line.productId) ?? 0) + line.quantity)
    }
    return byProduct
  }
  const shipped = units('SHIPPED')
  const reserved = units('RESERVED')
  for (const p of s.products) {
    if (p.available < 0 || p.reserved < 0) fail('stock-negative', p.productId, `available ${p.available}, reserved ${p.reserved}`)
    const opening = x.openingStock.get(p.productId)
    const out = shipped.get(p.productId) ?? 0
    if (opening !== undefined && opening !== p.available + p.reserved + out) {
      fail('stock-not-conserved', p.productId, `opened with ${opening}, now available ${p.available} + reserved ${p.reserved} + shipped ${out} = ${p.available + p.reserved + out}`)
    }
    if (p.reserved !== (reserved.get(p.productId) ?? 0)) {
      fail('stock-reserved-mismatch', p.productId, `reserved ${p.reserved}, reservations hold ${reserved.get(p.productId) ?? 0}`)
    }
  }
}

/** Per customer: balance + charged − refunded = opening + deposits; per order: its totals match its movements. */
function checkMoney(s: Snapshot, x: Expectations, fail: Fail): void {
  const depositIds = new Set(s.deposits.map((d) => d.depositId))
  for (const id of x.confirmedDeposits) if (!depositIds.has(id)) fail('confirmed-deposit-missing', id, 'answered 201 but not in payment-service')

  const deposits = groupBy(s.deposits, (d) => d.customerId)
  const payments = groupBy(s.payments, (p) => p.customerId)
  for (const c of s.customers) {
    const opening = x.openingBalance.get(c.customerId)
    if (opening === undefined) continue
    const deposited = sum((deposits.get(c.customerId) ?? []).map((d) => d.amount))
    const net = sum((payments.get(c.customerId) ?? []).map((p) => (p.kind === 'CHARGE' ? p.amount : -p.amount)))
    if (c.balance + net !== opening + deposited) {
      fail('money-not-conserved', c.customerId, `balance ${c.balance} + net charged ${net} ≠ opening ${opening} + deposits ${deposited}`)
    }
  }

  const byOrder = groupBy(s.payments, (p) => p.orderId)
  checkPaidAmounts(s, byOrder, fail)
  for (const op of s.orderPayments) {
    const movements = byOrder.get(op.orderId) ?? []
    const charged = sum(movements.filter((p) => p.kind === 'CHARGE').map((p) => p.amount))
    const refunded = sum(movements.filter((p) => p.kind === 'REFUND').map((p) => p.amount))
    if (charged !== op.charged || refunded !== op.refunded) {
      fail('order-payment-mismatch', op.orderId, `order_payments says charged ${op.charged}, refunded ${op.refunded}; payments sum to ${charged}, ${refunded}`)
    }
  }
}

/**
 * stock-service's paid_amount against payment-service's movements. A shipped reservation counted
 * every charge (it ships only once paid ≥ total, and nothing is charged after that) and every
 * adjusted refund, so it holds exactly the order's net charge. A released one stopped counting
 * charges when it was released: it holds at most the charges less the adjusted refunds. A
 * PaymentCompleted or PaymentRefunded applied twice breaks one or the other; nothing else reads
 * paid_amount, so without this rule such a duplicate would pass unseen.
 */
function checkPaidAmounts(s: Snapshot, byOrder: ReadonlyMap<string, Snapshot['payments']>, fail: Fail): void {
  for (const r of s.reservations) {
    const movements = byOrder.get(r.orderId) ?? []
    const charged = sum(movements.filter((p) => p.kind === 'CHARGE').map((p) => p.amount))
    const adjusted = sum(movements.filter((p) => p.kind === 'REFUND' && p.reason === ADJUSTED_REFUND_REASON).map((p) => p.amount))
    const refunded = sum(movements.filter((p) => p.kind === 'REFUND').map((p) => p.amount))
    if (r.status === 'SHIPPED' && r.paid !== charged - refunded) {
      fail('paid-amount-mismatch', r.orderId, `shipped with paid_amount ${r.paid}, but the order's net charge is ${charged - refunded}`)
    } else if (r.status !== 'SHIPPED' && r.paid > charged - adjusted) {
      fail('paid-amount-mismatch', r.orderId, `${r.status} with paid_amount ${r.paid}, more than the ${charged - adjusted} charged less adjusted refunds`)
    }
  }
}

/** Effects a redelivered event would repeat: the first charge, the release refund, the shipment, a history row. */
function checkEffectsOnce(s: Snapshot, fail: Fail): void {
  for (const [orderId, list] of groupBy(s.payments, (p) => p.orderId)) {
    const charges = list.filter((p) => p.kind === 'CHARGE' && p.reason === INITIAL_CHARGE_REASON).length
    const refunds = list.filter((p) => p.kind === 'REFUND' && p.reason === RELEASE_REFUND_REASON).length
    if (charges > 1) fail('charged-twice', orderId, `${charges} charges of the order total`)
    if (refunds > 1) fail('refunded-twice', orderId, `${refunds} release refunds`)
  }
  for (const [orderId, list] of groupBy(s.shipments, (sh) => sh.orderId)) {
    if (list.length > 1) fail('shipped-twice', orderId, `${list.length} shipments`)
  }
  for (const [eventId, list] of groupBy(s.history, (h) => h.eventId)) {
    if (list.length > 1) fail('history-duplicate', eventId, `event applied ${list.length} times to order ${list[0]?.orderId}`)
  }
}

/**
 * The outbox against the topics, and the topics against the consumers: every row published,
 * every event on its topic in commit order per order, every event handled by each consumer
 * that should, no valid event dead-lettered.
 */
function checkTopics(s: Snapshot, x: Expectations, fail: Fail): { events: number; copies: number } {
  const byTopicKey = groupBy(s.messages, (m) => `${m.topic}\u0000${m.key ?? ''}`)
  const onTopic = new Set(s.messages.map((m) => `${m.topic}\u0000${m.eventId}`))
  const origins = new Set(s.outbox.map((r) => r.eventId))

  for (const row of s.outbox) {
    if (!row.published) fail('outbox-unpublished', row.eventId, `${row.service} outbox row ${row.id} never marked published`)
    if (!onTopic.has(`${row.topic}\u0000${row.eventId}`)) fail('outbox-not-on-topic', row.eventId, `${row.service} outbox row ${row.id} is not on ${row.topic}`)
  }
  for (const m of s.messages) {
    if (m.eventId === null || !origins.has(m.eventId)) fail('message-without-origin', m.eventId ?? `${m.topic}:${m.partition}:${m.offset}`, `no outbox row for the message at ${m.topic}:${m.partition}:${m.offset}`)
  }

  // Commit order = outbox id order per (topic, order); the topic's order = first copies by offset.
  for (const [key, rows] of groupBy(s.outbox, (r) => `${r.topic}\u0000${r.aggregateId}`)) {
    const messages = byTopicKey.get(key) ?? []
    const partitions = new Set(messages.map((m) => m.partition))
    const [topic = '', orderId = ''] = key.split('\u0000')
    if (partitions.size > 1) fail('key-split-across-partitions', orderId, `${topic}: partitions ${[...partitions].join(', ')}`)
    const firstCopies = [...new Set(messages.map((m) => m.eventId))]
    const present = new Set(firstCopies)
    const committed = [...rows].sort((a, b) => a.id - b.id).map((r) => r.eventId).filter((id) => present.has(id))
    const published = firstCopies.filter((id) => id !== null && committed.includes(id))
    if (committed.join() !== published.join()) fail('order-of-events', orderId, `${topic}: committed ${committed.join(' ')}, published ${published.join(' ')}`)
  }

  const inboxes = groupBy(s.inbox, (i) => i.service)
  for (const [service, consumer] of Object.entries(x.consumers)) {
    const inbox = new Set((inboxes.get(service) ?? []).map((i) => i.eventId))
    const topics = new Set(consumer.topics)
    const due = new Set(s.messages.filter((m) => topics.has(m.topic) && m.eventType !== null && consumer.handles.has(m.eventType)).map((m) => m.eventId))
    for (const eventId of due) if (eventId !== null && !inbox.has(eventId)) fail('not-consumed', eventId, `${service} never handled it`)
  }

  const history = x.consumers[x.historyService]
  if (history) {
    const recorded = new Set(s.history.map((h) => `${h.orderId}\u0000${h.eventId}`))
    const orders = new Set(s.orders.map((o) => o.orderId))
    const topics = new Set(history.topics)
    const reported = new Set<string>()
    for (const m of s.messages) {
      if (!topics.has(m.topic) || m.key === null || !orders.has(m.key) || m.eventId === null || m.eventType === null || !history.handles.has(m.eventType)) continue
      const key = `${m.key}\u0000${m.eventId}`
      if (recorded.has(key) || reported.has(key)) continue
      reported.add(key)
      fail('history-missing', m.eventId, `${m.eventType} of order ${m.key} is not in its history`)
    }
  }

  // A valid event (one an outbox committed) never belongs in a dead-letter topic; a message no
  // service wrote (foreign bytes) does, and is only counted, by reason.
  for (const d of s.deadLetters) {
    if (d.eventId !== null && origins.has(d.eventId)) fail('dead-lettered', d.eventId, `${d.eventType} of order ${d.key}: ${d.reason}`)
  }

  const events = new Set(s.messages.map((m) => `${m.topic}\u0000${m.eventId}`)).size
  return { events, copies: s.messages.length - events }
}
