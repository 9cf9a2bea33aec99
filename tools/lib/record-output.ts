// How `events` prints decoded messages: JSON lines for pipes and scripts, a table clipped to the terminal's width for people.
import type { MetadataField } from '@choreo/contracts'
import type { EventRecord } from './event-record.ts'
import { clip } from './table.ts'

export type OutputFormat = 'json' | 'table'

/** JSON lines for pipes and scripts, a table for a person at a terminal; `--format` decides otherwise. */
export function outputFormat(option: string | undefined, isTty: boolean): OutputFormat {
  if (option === 'json' || option === 'table') return option
  return isTty ? 'table' : 'json'
}

// Every event carries these (contracts' MetadataField) plus its order id, the message key: the table shows the rest.
const ENVELOPE: ReadonlySet<string> = new Set<MetadataField | 'orderId'>(['eventId', 'correlationId', 'causationId', 'occurredAt', 'orderId'])

/** The business fields of a payload, in one compact line. */
function payloadSummary(record: EventRecord): string {
  if (record.error) return `! ${record.error}`
  const fields = Object.entries(record.payload ?? {}).filter(([k]) => !ENVELOPE.has(k))
  return JSON.stringify(Object.fromEntries(fields))
}

/** Prints records one by one, so a followed topic shows each message as it comes; a terminal's width clips the payload. */
export function createRecordPrinter(format: OutputFormat, write: (line: string) => void, columns?: number): (record: EventRecord) => void {
  if (format === 'json') return (record) => write(JSON.stringify(record))
  let headerShown = false
  return (record) => {
    const time = record.timestamp?.slice(11, 23) ?? ''
    const where = `${record.topic ?? '?'}[${record.partition ?? '?'}]@${record.offset ?? '?'}`
    const left = `${time.padEnd(12)}  ${where.padEnd(28)}  ${(record.key ?? '-').padEnd(36)}  ${(record.type ?? '?').padEnd(26)}  `
    if (!headerShown) {
      write(`${'TIME'.padEnd(12)}  ${'TOPIC[PARTITION]@OFFSET'.padEnd(28)}  ${'KEY'.padEnd(36)}  ${'TYPE'.padEnd(26)}  PAYLOAD`)
      headerShown = true
    }
    const payload = payloadSummary(record)
    write(left + (columns === undefined ? payload : clip(payload, Math.max(20, columns - left.length))))
  }
}
