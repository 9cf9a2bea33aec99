// Parked outbox rows as the tools name them: `<service>:outbox:<id>`, the reference `dlq retry` and `dlq discard` take.
import type { ParkedRow } from '@choreo/messaging/operations'
import { services, type ServiceName } from './services.ts'

/** A parked outbox row as the tools show it: which service's outbox holds it. */
export interface Parked extends ParkedRow {
  /** `<service>:outbox:<row id>`: what `dlq retry` and `dlq discard` take. */
  ref: string
  service: ServiceName
}

export function parkedOf(service: ServiceName, row: ParkedRow): Parked {
  return { ...row, ref: parkedRef(service, row.id), service }
}

export function parkedRef(service: ServiceName, id: string): string {
  return `${service}:outbox:${id}`
}

/** Parses `<service>:outbox:<row id>`; undefined for anything else (a dead letter's id, a typo). */
export function parseParkedRef(ref: string): { service: ServiceName; id: string } | undefined {
  const m = /^([a-z-]+):outbox:(\d+)$/.exec(ref)
  if (!m || !services.includes(m[1] as ServiceName)) return undefined
  return { service: m[1] as ServiceName, id: m[2]! }
}
