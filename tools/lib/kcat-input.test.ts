import { describe, expect, it } from 'vitest'
import { readKcat } from './kcat-input.ts'

/** What kcat 1.7 -J writes for a payload: control bytes, `"` and `\` escaped, every other byte as it is. */
function kcatJsonString(bytes: Buffer): Buffer {
  const parts: Buffer[] = [Buffer.from('"')]
  for (const b of bytes) {
    if (b === 0x22 || b === 0x5c) parts.push(Buffer.from(`\\${String.fromCharCode(b)}`))
    else if (b < 0x20) parts.push(Buffer.from(`\\u${b.toString(16).toUpperCase().padStart(4, '0')}`))
    else parts.push(Buffer.from([b]))
  }
  parts.push(Buffer.from('"'))
  return Buffer.concat(parts)
}

const allBytes = Buffer.from(Array.from({ length: 256 }, (_, i) => i))

async function collect(chunks: Buffer[]) {
  const out = []
  for await (const m of readKcat((async function* () { yield* chunks })())) out.push(m)
  return out
}

/** Splits a stream at every byte, as a pipe may deliver it. */
const byteByByte = (b: Buffer): Buffer[] => [...b].map((x) => Buffer.from([x]))

describe('kcat input', () => {
  it('gets every byte of a -J payload and key back, though the line is not UTF-8', async () => {
    const line = Buffer.concat([
      Buffer.from('{"topic":"order.events","partition":3,"offset":42,"tstype":"create","ts":1795609025603,"broker":1,"headers":["event-id","e-1","h2","a,b=c"],"key":'),
      kcatJsonString(Buffer.from([0xff, 0x00, 0x41, 0xc3, 0xa9])),
      Buffer.from(',"payload":'), kcatJsonString(allBytes), Buffer.from('}\n'),
    ])
    const [message, ...rest] = await collect(byteByByte(line))
    expect(rest).toEqual([])
    expect(message?.value).toEqual(allBytes)
    expect(message?.key).toEqual(Buffer.from([0xff, 0x00, 0x41, 0xc3, 0xa9]))
    expect(message).toMatchObject({ topic: 'order.events', partition: 3, offset: 42n, timestamp: 1795609025603, headers: { 'event-id': 'e-1', h2: 'a,b=c' } })
  })

  it('reads null keys and payloads, object headers, and a last line without a newline', async () => {
    const input = Buffer.from('{"topic":"t","partition":0,"offset":1,"key":null,"payload":null}\n{"topic":"t","partition":0,"offset":2,"headers":{"a":"b"},"key":"k","payload":"x"}')
    const messages = await collect([input])
    expect(messages.map((m) => [m.key?.toString() ?? null, m.value?.toString() ?? null, m.headers])).toEqual([[null, null, {}], ['k', 'x', { a: 'b' }]])
  })

  it("reads -f '%R%s' frames split anywhere, including a null value (length -1)", async () => {
    const frame = (b: Buffer | null): Buffer => {
      const length = Buffer.alloc(4)
      length.writeInt32BE(b === null ? -1 : b.length)
      return Buffer.concat([length, b ?? Buffer.alloc(0)])
    }
    const stream = Buffer.concat([frame(allBytes), frame(null), frame(Buffer.from('{not json'))])
    const messages = await collect(byteByByte(stream))
    expect(messages.map((m) => m.value)).toEqual([allBytes, null, Buffer.from('{not json')])
  })

  it('fails on a stream that ends inside a frame', async () => {
    const truncated = Buffer.concat([Buffer.from([0, 0, 0, 10]), Buffer.from('abc')])
    await expect(collect([truncated])).rejects.toThrow(/ends inside a frame/)
  })
})
