// choreo token: mint a bearer token: --customer <id> | --admin [--ttl seconds]
import { ConfigError, ID_PATTERN, mintToken } from '@choreo/platform'
import { runCommand, UsageError } from '../lib/command.ts'
import { parseCommandLine, wholeNumber } from '../lib/command-line.ts'

const usage = `
usage: ./choreo token --customer <id> [--ttl seconds]
       ./choreo token --admin [--ttl seconds]
  --customer <id>  a customer's token: it sees and changes that customer's orders only
                   (<id>: letters, digits, _ and -, at most 64, as the API accepts)
  --admin          an administrator's token: catalogue, stock, deposits, shipping, delivery
  --ttl seconds    how long it is valid (default 3600)
Prints the token; use it as 'authorization: Bearer <token>'. The demo customers are ada, grace,
edsger and broke (./choreo seed). JWT_SECRET is the local stack's key (./choreo sets it).
`

const DEFAULT_TTL_SECONDS = '3600'

await runCommand(usage, async (args) => {
  const { values, positionals } = parseCommandLine(args, { customer: { type: 'string' }, admin: { type: 'boolean' }, ttl: { type: 'string' } })
  if (positionals.length > 0) throw new UsageError(`unexpected argument '${positionals[0]}'`)
  if (values.customer !== undefined && values.admin) throw new UsageError('--customer and --admin exclude each other')
  if (values.customer === undefined && !values.admin) throw new UsageError('missing --customer <id> or --admin')
  // The API refuses any other id (404 or 400), so a token for it would only mislead.
  if (values.customer !== undefined && !new RegExp(ID_PATTERN).test(values.customer)) {
    throw new UsageError(`--customer: '${values.customer}' is not an id the API accepts (letters, digits, _ and -, at most 64)`)
  }
  const ttl = wholeNumber('--ttl', values.ttl ?? DEFAULT_TTL_SECONDS)
  const secret = process.env.JWT_SECRET
  if (!secret) throw new ConfigError('environment variable JWT_SECRET: not set (./choreo token sets it from .run/jwt-secret)')
  const claims = values.customer === undefined ? { sub: 'admin', role: 'admin' as const } : { sub: values.customer, role: 'customer' as const }
  process.stdout.write(`${mintToken(claims, secret, ttl)}\n`)
})
