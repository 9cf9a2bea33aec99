// Shipments of orders, from leaving the warehouse to the carrier's delivery.
import type { Knex } from 'knex'

export type ShipmentStatus = 'SHIPPED' | 'DELIVERED'

export interface Shipment {
  shipmentId: string
  orderId: string
  carrier: string
  trackingNumber: string
  status: ShipmentStatus
  shippedAt: Date
  deliveredAt: Date | null
}

interface ShipmentRow {
  shipment_id: string
  order_id: string
  carrier: string
  tracking_number: string
  status: ShipmentStatus
  shipped_at: Date
  delivered_at: Date | null
}

function fromRow(row: ShipmentRow): Shipment {
  return {
    shipmentId: row.shipment_id,
    orderId: row.order_id,
    carrier: row.carrier,
    trackingNumber: row.tracking_number,
    status: row.status,
    shippedAt: row.shipped_at,
    deliveredAt: row.delivered_at,
  }
}

export async function insertShipment(trx: Knex.Transaction, shipment: Omit<Shipment, 'status' | 'deliveredAt'>): Promise<void> {
  await trx('shipments').insert({
    shipment_id: shipment.shipmentId,
    order_id: shipment.orderId,
    carrier: shipment.carrier,
    tracking_number: shipment.trackingNumber,
    status: 'SHIPPED' satisfies ShipmentStatus,
    shipped_at: shipment.shippedAt,
  })
}

export async function shipmentsOfOrder(db: Knex | Knex.Transaction, orderId: string): Promise<Shipment[]> {
  const rows: ShipmentRow[] = await db('shipments').where({ order_id: orderId }).orderBy('shipped_at')
  return rows.map(fromRow)
}

/** Reads a shipment and locks it, so two deliveries of one shipment take turns. */
export async function lockShipment(trx: Knex.Transaction, shipmentId: string): Promise<Shipment | undefined> {
  const row: ShipmentRow | undefined = await trx('shipments').where({ shipment_id: shipmentId }).forUpdate().first()
  return row ? fromRow(row) : undefined
}

export async function markDelivered(trx: Knex.Transaction, shipmentId: string, deliveredAt: Date): Promise<void> {
  await trx('shipments').where({ shipment_id: shipmentId }).update({ status: 'DELIVERED' satisfies ShipmentStatus, delivered_at: deliveredAt })
}
