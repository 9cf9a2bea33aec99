// Keyset paging over (created_at, order_id), newest first. The cursor is opaque to clients:
// base64url of the last row's key, so its shape can change without breaking them.

export interface OrderCursor {
  createdAt: Date
  orderId: string
}

export function encodeCursor(cursor: OrderCursor): string {
  return Buffer.from(JSON.stringify([cursor.createdAt.toISOString(), cursor.orderId])).toString('base64url')
}

/** The cursor's key, or null when it is not one this service issued. */
export function decodeCursor(text: string): OrderCursor | null {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'))
    if (!Array.isArray(parsed) || parsed.length !== 2) return null
    const [at, orderId] = parsed as unknown[]
    if (typeof at !== 'string' || typeof orderId !== 'string') return null
    const createdAt = new Date(at)
    return Number.isNaN(createdAt.getTime()) ? null : { createdAt, orderId }
  } catch {
    return null
  }
}
