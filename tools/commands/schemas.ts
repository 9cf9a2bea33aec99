// choreo schemas: check: compatibility of every schema in schemas/ with what the registry holds
import { statSync } from 'node:fs'
import { checkCompatibility } from '@choreo/messaging/operations'
import { CommandFailed, runCommand, UsageError } from '../lib/command.ts'
import { parseCommandLine, verbOf } from '../lib/command-line.ts'
import { readSettings } from '../lib/settings.ts'
import { formatTable } from '../lib/table.ts'

const usage = `
usage: ./choreo schemas check [--schemas-dir <dir>] [--json]
For every schema in schemas/, whether the registry (SCHEMA_REGISTRY_URL) would accept it as the next
version of its subject (<topic>-<record full name>): compatible, incompatible, or not registered.
  --schemas-dir <dir>  check the schemas of another tree laid out as schemas/ (<service>/<Event>.avsc)
  --json               one JSON document instead of the table
Exits 1 if any is incompatible.
`

await runCommand(usage, async (args) => {
  const { values, positionals } = parseCommandLine(args, { 'schemas-dir': { type: 'string' }, json: { type: 'boolean' } })
  verbOf(positionals, ['check'])
  if (positionals.length > 1) throw new UsageError(`unexpected argument '${positionals[1]}'`)
  const dir = values['schemas-dir']
  if (dir !== undefined && !statSync(dir, { throwIfNoEntry: false })?.isDirectory()) throw new UsageError(`--schemas-dir: '${dir}' is not a directory`)
  const checks = await checkCompatibility({ registryUrl: readSettings().registryUrl, ...(dir === undefined ? {} : { schemasDir: dir }) }).catch((err: NodeJS.ErrnoException) => {
    // A directory without every event's schema: say which file, not a bare ENOENT.
    if (err.code === 'ENOENT') throw new CommandFailed(`--schemas-dir: ${err.path} is missing; the directory must hold <service>/<Event>.avsc for every event, as schemas/ does`, 2)
    throw err
  })
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
