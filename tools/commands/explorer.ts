// choreo explorer: print a URL that logs in to the saga explorer with a short-lived admin token [--ttl seconds]
import { ConfigError, mintToken } from '@choreo/platform'
import { CommandFailed, runCommand, UsageError } from '../lib/command.ts'
import { parseCommandLine, wholeNumber } from '../lib/command-line.ts'

const usage = `
usage: ./choreo explorer [--ttl seconds]
Prints the saga explorer's URL (http://127.0.0.1:EXPLORER_PORT, 3000 by default) with an admin token
valid for --ttl seconds (default 900). Opening it once logs the browser in (an HttpOnly cookie for the
token's life) and takes the token out of the address bar. Opens nothing itself. ./choreo up starts the
explorer; ./choreo status shows it.
`

const DEFAULT_TTL_SECONDS = '900'
const HEALTH_TIMEOUT_MS = 2000

await runCommand(usage, async (args) => {
  const { values, positionals } = parseCommandLine(args, { ttl: { type: 'string' } })
  if (positionals.length > 0) throw new UsageError(`unexpected argument '${positionals[0]}'`)
  const ttl = wholeNumber('--ttl', values.ttl ?? DEFAULT_TTL_SECONDS)
  const secret = process.env.JWT_SECRET
  if (!secret) throw new ConfigError('environment variable JWT_SECRET: not set (./choreo explorer sets it from .run/jwt-secret)')
  const base = `http://127.0.0.1:${process.env.EXPLORER_PORT ?? '3000'}`
  const up = await fetch(`${base}/health`, { signal: AbortSignal.timeout(HEALTH_TIMEOUT_MS) }).then((r) => r.ok, () => false)
  if (!up) throw new CommandFailed(`the explorer does not answer on ${base}: ./choreo up starts it (its log: .run/logs/explorer.log)`)
  process.stdout.write(`${base}/?token=${mintToken({ sub: 'admin', role: 'admin' }, secret, ttl)}\n`)
})
