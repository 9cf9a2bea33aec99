// Which carrier takes an order's parcel, and its tracking number.
import { createHash, randomInt } from 'node:crypto'

/** Carriers the warehouse hands parcels to, with the prefix of their tracking numbers. */
export const carriers = [
  { name: 'DHL', trackingPrefix: 'JD' },
  { name: 'UPS', trackingPrefix: '1Z' },
  { name: 'PostNL', trackingPrefix: '3S' },
] as const

export type Carrier = (typeof carriers)[number]

const TRACKING_ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ'
const TRACKING_RANDOM_CHARS = 12

/** The same order always goes with the same carrier, so a replayed ship step cannot disagree. */
export function carrierFor(orderId: string): Carrier {
  const digest = createHash('sha256').update(orderId).digest()
  return carriers[digest.readUInt32BE(0) % carriers.length] ?? carriers[0]
}

/** The carrier's prefix and 12 random characters (36^12 ≈ 4.7e18: collisions are not a concern). */
export function newTrackingNumber(carrier: Carrier): string {
  let suffix = ''
  for (let i = 0; i < TRACKING_RANDOM_CHARS; i++) suffix += TRACKING_ALPHABET[randomInt(TRACKING_ALPHABET.length)]
  return carrier.trackingPrefix + suffix
}
