// choreo schemas: check: compatibility of every schema in schemas/ with what the registry holds
import { parseArgs } from 'node:util'
import { checkCompatibility } from '@choreo/messaging'
import { runCommand, UsageError } from '../lib/command.ts'
import { readSettings } from '../lib/settings.ts'
import { formatTable } from '../lib/table.ts'

const usage = `
usage: ./choreo schemas check [--schemas-dir <dir>] [--json]
For every schema in schemas/, whether the registry (SCHEMA_REGISTRY_URL) would accept it as the next
version of its subject (<topic>-<record full name>): compatible, incompatible, or not registered.
Exits 1 if any is incompatible.
`

await runCommand(usage, async () => {
  const { values, positionals } = parseArgs({ allowPositionals: true, options: { 'schemas-dir': { type: 'string' }, json: { type: 'boolean' } } })
  if (positionals[0] !== 'check' || positionals.length > 1) throw new UsageError('expected: schemas check')
  const checks = await checkCompatibility({ registryUrl: readSettings().registryUrl, ...(values['schemas-dir'] ? { schemasDir: values['schemas-dir'] } : {}) })
  if (values.json) {
    process.stdout.write(`${JSON.stringify(checks)}\n`)
  } else {
    process.stdout.write(`${formatTable(['SUBJECT', 'RESULT', 'LEVEL', 'LATEST', 'WHY'], checks.map((c) => [
      c.subject, c.result, c.level ?? '', c.latestVersion === undefined ? '' : `v${c.latestVersion}`, c.reason ?? '',
    ]))}\n`)
  }
  const incompatible = checks.filter((c) => c.result === 'incompatible').length
  if (incompatible > 0) process.stderr.write(`${incompatible} schema(s) incompatible with what is registered\n`)
  return incompatible > 0 ? 1 : 0
})
