// ./choreo up's way to start a service (infra/bin/stack.sh knows the stack's layout and passes it
// here): detached in a session of its own, its pid in --pid-file, its output appended to --log-file.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { dirname } from 'node:path'
import { parseArgs } from 'node:util'
import { SERVICES, launchService, type ServiceName } from './launch.ts'
import { serviceEnv } from '@choreo/platform'

const usage = `usage: node packages/launcher/src/cli.ts <service> --root DIR --port N --database-url URL
  --kafka-brokers LIST --registry-url URL --sasl-mechanism M --sasl-password-file FILE
  --jwt-secret-file FILE --log-level LEVEL [--set NAME=VALUE]... --log-file FILE --pid-file FILE`

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    'root': { type: 'string' },
    'port': { type: 'string' },
    'database-url': { type: 'string' },
    'kafka-brokers': { type: 'string' },
    'registry-url': { type: 'string' },
    'sasl-mechanism': { type: 'string' },
    'sasl-password-file': { type: 'string' },
    'jwt-secret-file': { type: 'string' },
    'log-level': { type: 'string' },
    'set': { type: 'string', multiple: true, default: [] },
    'log-file': { type: 'string' },
    'pid-file': { type: 'string' },
  },
})

function required(name: keyof typeof values): string {
  const value = values[name]
  if (typeof value !== 'string' || value === '') fail(`--${name} is required`)
  return value
}

function fail(message: string): never {
  console.error(`launcher: ${message}\n${usage}`)
  process.exit(2)
}

const service = positionals[0] as ServiceName
if (positionals.length !== 1 || !SERVICES.includes(service)) fail(`one service expected (${SERVICES.join(', ')}), not '${positionals.join(' ')}'`)
const extra: Record<string, string> = {}
for (const pair of values.set) {
  const at = pair.indexOf('=')
  if (at < 1) fail(`--set takes NAME=VALUE, not '${pair}'`)
  extra[pair.slice(0, at)] = pair.slice(at + 1)
}
const readSecret = (file: string) => readFileSync(file, 'utf8').trim()

// Not the operator's files: a service knows its own password and nothing more.
const { KAFKA_CREDENTIALS: _credentials, KCAT_CONFIG: _kcat, KAFKA_ADMIN_CONFIG: _admin, ...inherit } = process.env

const env = serviceEnv({
  port: Number(required('port')),
  databaseUrl: required('database-url'),
  kafkaBrokers: required('kafka-brokers').split(','),
  kafkaSasl: { mechanism: required('sasl-mechanism'), username: service, password: readSecret(required('sasl-password-file')) },
  registryUrl: required('registry-url'),
  jwtSecret: readSecret(required('jwt-secret-file')),
  logLevel: required('log-level'),
  extra,
})
const pidFile = required('pid-file')
const child = launchService({ service, root: required('root'), env, inherit, logFile: required('log-file'), detached: true })
mkdirSync(dirname(pidFile), { recursive: true })
writeFileSync(pidFile, `${child.pid}\n`)
