// choreo chaos: fault injection under load, then invariants: --short (seeded, in ./choreo test) | --minutes N
import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { OptionError, readOptions, USAGE } from '../chaos/options.ts'
import { runChaos } from '../chaos/run.ts'
import { summaryLine } from '../chaos/summary.ts'
import { runCommand, UsageError } from '../lib/command.ts'

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..')

await runCommand(USAGE, async (args) => {
  let options
  try {
    options = readOptions(args, process.env)
  } catch (err) {
    throw err instanceof OptionError ? new UsageError(err.message) : err
  }
  const result = await runChaos(options, root)
  console.log(summaryLine(result))
  return result.violations === 0 ? 0 : 1
})
// kafkajs and the pools may keep timers alive; the run (or its refusal) is over.
process.exit()
