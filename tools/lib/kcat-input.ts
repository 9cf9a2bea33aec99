// The kcat output `./choreo decode` reads (kcat -J lines, or -f '%R%s' frames), turned back into messages with their exact bytes.
import type { Framed } from './event-record.ts'

/**
 * The two kcat outputs `./choreo decode` reads (docs/kcat.md):
 * - `json`: `kcat -C -J`, one envelope per line. kcat 1.7 escapes control characters, `"` and
 *   `\` in the payload and copies every other byte as it is, so the line is not UTF-8: read as
 *   Latin-1, each character is one byte again, and the Avro bytes come back exactly.
 * - `framed`: `kcat -C -f '%R%s'`, a 4-byte big-endian length (-1 for no value), then the
 *   payload's bytes. Binary-safe by construction, but carries nothing else.
 */
export type KcatFormat = 'json' | 'framed'

const NEWLINE = 0x0a
const OPEN_BRACE = 0x7b
const LENGTH_BYTES = 4
const NULL_LENGTH = -1

/** The format of a stream, from its first byte: a JSON envelope starts with `{`. */
function detectFormat(first: Buffer): KcatFormat {
  return first[0] === OPEN_BRACE ? 'json' : 'framed'
}

export async function* readKcat(input: AsyncIterable<Buffer | string>, format?: KcatFormat): AsyncGenerator<Framed> {
  let pending: Buffer = Buffer.alloc(0)
  let chosen = format
  for await (const chunk of input) {
    pending = Buffer.concat([pending, typeof chunk === 'string' ? Buffer.from(chunk, 'latin1') : chunk])
    if (pending.length === 0) continue
    chosen ??= detectFormat(pending)
    const { messages, rest } = chosen === 'json' ? splitLines(pending, false) : splitFrames(pending)
    pending = rest
    yield* messages
  }
  if (pending.length === 0) return
  if (chosen === 'json') {
    yield* splitLines(pending, true).messages
  } else {
    throw new Error(`input ends inside a frame (${pending.length} bytes left): was it produced with -f '%R%s'?`)
  }
}

function splitLines(buffer: Buffer, atEnd: boolean): { messages: Framed[]; rest: Buffer } {
  const messages: Framed[] = []
  let start = 0
  for (let nl = buffer.indexOf(NEWLINE, start); nl !== -1; nl = buffer.indexOf(NEWLINE, start)) {
    const line = buffer.subarray(start, nl)
    if (line.length > 0) messages.push(fromEnvelope(line))
    start = nl + 1
  }
  const rest = buffer.subarray(start)
  if (atEnd && rest.length > 0) return { messages: [...messages, fromEnvelope(rest)], rest: Buffer.alloc(0) }
  return { messages, rest }
}

interface Envelope {
  topic?: string
  partition?: number
  offset?: number
  ts?: number
  headers?: string[] | Record<string, string>
  key?: string | null
  payload?: string | null
}

function fromEnvelope(line: Buffer): Framed {
  let envelope: Envelope
  try {
    envelope = JSON.parse(line.toString('latin1')) as Envelope
  } catch {
    throw new Error(`not a kcat -J line: ${line.subarray(0, 60).toString('latin1')}…`)
  }
  const bytes = (s: string | null | undefined): Buffer | null => (typeof s === 'string' ? Buffer.from(s, 'latin1') : null)
  return {
    ...(envelope.topic === undefined ? {} : { topic: envelope.topic }),
    ...(envelope.partition === undefined ? {} : { partition: envelope.partition }),
    ...(envelope.offset === undefined ? {} : { offset: BigInt(envelope.offset) }),
    ...(envelope.ts === undefined ? {} : { timestamp: envelope.ts }),
    key: bytes(envelope.key),
    value: bytes(envelope.payload),
    headers: headersOf(envelope.headers),
  }
}

// kcat 1.7 prints headers as a flat [name, value, name, value…] array; its help says an object.
function headersOf(headers: Envelope['headers']): Record<string, string> {
  const pairs: [string, string][] = Array.isArray(headers)
    ? Array.from({ length: Math.floor(headers.length / 2) }, (_, i) => [headers[2 * i] ?? '', headers[2 * i + 1] ?? ''])
    : Object.entries(headers ?? {})
  // Header values are bytes too; ours are UTF-8 text.
  return Object.fromEntries(pairs.map(([k, v]) => [Buffer.from(k, 'latin1').toString('utf8'), Buffer.from(v, 'latin1').toString('utf8')]))
}

function splitFrames(buffer: Buffer): { messages: Framed[]; rest: Buffer } {
  const messages: Framed[] = []
  let at = 0
  while (buffer.length - at >= LENGTH_BYTES) {
    const length = buffer.readInt32BE(at)
    if (length === NULL_LENGTH) {
      messages.push({ key: null, value: null, headers: {} })
      at += LENGTH_BYTES
      continue
    }
    if (length < 0) throw new Error(`bad frame length ${length} at byte ${at}: was the input produced with -f '%R%s'?`)
    if (buffer.length - at - LENGTH_BYTES < length) break
    messages.push({ key: null, value: Buffer.from(buffer.subarray(at + LENGTH_BYTES, at + LENGTH_BYTES + length)), headers: {} })
    at += LENGTH_BYTES + length
  }
  return { messages, rest: buffer.subarray(at) }
}
