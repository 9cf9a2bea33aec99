// An order's reason text: how a refusal or cancellation is worded and clipped to what the row holds.
import type { ShortLine } from '@choreo/contracts'

/** Length of the reason columns; reasons come from other services, unbounded. */
export const REASON_MAX_LENGTH = 500

/** A reason cut to fit its column, so a verbose upstream message cannot fail the saga step. */
export function clipReason(reason: string): string {
  return reason.length > REASON_MAX_LENGTH ? `${reason.slice(0, REASON_MAX_LENGTH - 1)}…` : reason
}

/**
 * Stock's reason for refusing lines, naming the products it could not supply, so a customer
 * knows which line to change: `insufficient stock: teapot (requested 50, available 40)`.
 */
export function shortageReason(reason: string, shortLines: readonly ShortLine[]): string {
  if (shortLines.length === 0) return reason
  return `${reason}: ${shortLines.map((l) => `${l.productId} (requested ${l.requested}, available ${l.available})`).join(', ')}`
}
