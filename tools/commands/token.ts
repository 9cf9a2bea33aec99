// choreo token: mint a bearer token: --customer <id> | --admin [--ttl seconds]
import { parseArgs } from 'node:util'
import { mintToken } from '@choreo/platform'

const { values } = parseArgs({ options: { customer: { type: 'string' }, admin: { type: 'boolean' }, ttl: { type: 'string', default: '3600' } } })
const secret = process.env.JWT_SECRET
if (!secret) throw new Error('JWT_SECRET is not set (./choreo token sets it from .run/jwt-secret)')
if (Boolean(values.customer) === Boolean(values.admin)) {
  console.error('usage: ./choreo token --customer <id> | --admin [--ttl seconds]')
  process.exit(2)
}
const claims = values.admin ? { sub: 'admin', role: 'admin' as const } : { sub: values.customer!, role: 'customer' as const }
console.log(mintToken(claims, secret, Number(values.ttl)))
