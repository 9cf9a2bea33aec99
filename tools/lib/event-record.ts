// One message as the commands and the explorer show it: where it is, its key and headers, and its payload decoded through the registry, or why not.
import type { EventType } from '@choreo/contracts'
import type { EventCodec } from '@choreo/messaging'
import type { RawMessage } from '@choreo/messaging/operations'

/**
 * One message as the commands print it (a JSON line each): where it is, its key and headers,
 * and its payload decoded through the registry, or why it could not be.
 */
export interface EventRecord {
  topic?: string
  partition?: number
  offset?: number
  /** The message's timestamp, ISO 8601. */
  timestamp?: string
  key: string | null
  headers: Record<string, string>
  type?: EventType
  schemaId?: number
  payload?: Record<string, unknown>
  error?: string
}

/** What decoding needs of a message; kcat's output carries no more than this, sometimes less. */
export type Framed = Partial<Pick<RawMessage, 'topic' | 'partition' | 'offset' | 'timestamp'>> & Pick<RawMessage, 'key' | 'value' | 'headers'>

export async function decodeRecord(codec: EventCodec, message: Framed): Promise<EventRecord> {
  const record: EventRecord = {
    ...(message.topic === undefined ? {} : { topic: message.topic }),
    ...(message.partition === undefined ? {} : { partition: message.partition }),
    ...(message.offset === undefined ? {} : { offset: Number(message.offset) }),
    ...(message.timestamp === undefined ? {} : { timestamp: new Date(message.timestamp).toISOString() }),
    key: message.key === null ? null : message.key.toString('utf8'),
    headers: message.headers,
  }
  if (message.value === null) return { ...record, error: 'no value (tombstone)' }
  try {
    const decoded = await codec.decode(message.value)
    return { ...record, type: decoded.type, schemaId: decoded.schemaId, payload: decoded.payload }
  } catch (err) {
    return { ...record, error: (err as Error).message }
  }
}

