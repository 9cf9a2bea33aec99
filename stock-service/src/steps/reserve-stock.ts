// stock-service's first saga step, on OrderPlaced: reserves every line at today's price, or nothing.
import type { Knex } from 'knex'
import { newEvent, totalOf, type Events } from '@choreo/contracts'
import { planAdjustment } from '../domain/adjustment.ts'
import { lockProducts, reserveUnits } from '../repositories/products.ts'
import { insertReservation, lockReservation } from '../repositories/reservations.ts'

/** OrderPlaced: reserve every line at today's price, or nothing → StockReserved | StockReservationFailed. */
export async function reserveStock(event: Events['OrderPlaced'], trx: Knex.Transaction) {
  const { orderId, customerId, currency } = event
  // The inbox already drops redeliveries; a second OrderPlaced for one order must not reserve twice.
  if (await lockReservation(trx, orderId)) return []
  const stock = await lockProducts(trx, event.items.map((item) => item.productId))
  const plan = planAdjustment([], event.items, stock, currency)
  if (!plan.ok) return [newEvent('StockReservationFailed', { orderId, reason: plan.reason, shortLines: plan.shortLines })]
  const total = totalOf(plan.lines, currency)
  // Inserted before any unit moves: a concurrent twin that got there first leaves stock untouched.
  if (!(await insertReservation(trx, { orderId, customerId, lines: plan.lines, total }))) return []
  await reserveUnits(trx, plan.moves.map((move) => ({ productId: move.productId, quantity: move.delta })))
  return [newEvent('StockReserved', { orderId, customerId, lines: plan.lines, total })]
}
