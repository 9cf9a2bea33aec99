// choreo decode: decode kcat output on stdin (kcat -J, or -f '%R%s') into JSON lines through the schema registry
import { createEventCodec } from '@choreo/messaging'
import { runCommand, UsageError } from '../lib/command.ts'
import { oneOf, parseCommandLine } from '../lib/command-line.ts'
import { decodeRecord } from '../lib/event-record.ts'
import { readKcat, type KcatFormat } from '../lib/kcat-input.ts'
import { readSettings } from '../lib/settings.ts'

const usage = `
usage: kcat -F $F -C -t order.events -J -e | ./choreo decode
       kcat -F $F -C -t order.events -f '%R%s' -e | ./choreo decode
  (F=.run/kafka/1-node/credentials/kcat.conf: the stack's operator credentials and brokers)
  --input json|framed   what stdin holds (default: detected from its first byte)
One JSON line per message: topic, partition, offset, timestamp, key, headers (as kcat gave them),
type, schemaId and payload, or error. Exits 1 if any message could not be decoded. See docs/kcat.md.
`

await runCommand(usage, async (args) => {
  const { values, positionals } = parseCommandLine(args, { input: { type: 'string' } })
  if (positionals.length > 0) throw new UsageError(`unexpected argument '${positionals[0]}'`)
  const input: KcatFormat | undefined = values.input === undefined ? undefined : oneOf('--input', values.input, ['json', 'framed'])
  if (process.stdin.isTTY) throw new UsageError('stdin is a terminal: pipe kcat into this command')
  const codec = createEventCodec({ registryUrl: readSettings().registryUrl })
  let failed = 0
  for await (const message of readKcat(process.stdin, input)) {
    const record = await decodeRecord(codec, message)
    if (record.error) failed++
    process.stdout.write(`${JSON.stringify(record)}\n`)
  }
  if (failed > 0) process.stderr.write(`${failed} message(s) could not be decoded\n`)
  return failed > 0 ? 1 : 0
})
