// choreo chaos: fault injection under load, then invariants: --short (seeded, in ./choreo test) | --minutes N
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { ConfigError } from '@choreo/platform'
import { OptionError, readOptions, USAGE } from '../chaos/options.ts'
import { runChaos } from '../chaos/run.ts'
import { summaryLine } from '../chaos/summary.ts'

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..')

let options
try {
  options = readOptions(process.argv.slice(2), process.env)
} catch (err) {
  if (!(err instanceof OptionError || err instanceof ConfigError)) throw err
  console.error(`${err.message}\n${USAGE}`)
  process.exit(2)
}
const result = await runChaos(options, root)
console.log(summaryLine(result))
// kafkajs and the pools may keep timers alive; the run is over.
process.exit(result.violations === 0 ? 0 : 1)
