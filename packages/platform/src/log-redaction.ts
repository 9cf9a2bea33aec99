// Credentials kept out of the logs: tokens in a URL or an error message redacted, the Authorization and Cookie headers censored.
import type { FastifyServerOptions } from 'fastify'

const REDACTED = '[REDACTED]'
/** Query parameters that carry credentials by name, whatever their value looks like. */
const SECRET_PARAMETER = /^(token|access_token|id_token|refresh_token|jwt|bearer|auth|authorization|api[-_]?key|key|password|secret|signature|sig)$/i
/** A JWT anywhere (three base64url parts, the first a JSON object's `{"`): path, query or fragment. */
const JWT = /eyJ[\w-]*\.[\w-]*\.[\w-]*/g

/** Any text with a JWT in it (an error message that quotes a URL), the JWT replaced by [REDACTED]. */
export function redactTokens(text: string): string {
  return text.replace(JWT, REDACTED)
}

/**
 * The URL as it may be logged: a token in it (`?token=<jwt>`, a JWT in the path) is replaced by
 * [REDACTED]. The request is refused anyway (tokens are accepted in the Authorization header
 * only), but a log line keeps the URL for as long as the logs are kept.
 */
export function redactUrl(url: string): string {
  const query = url.indexOf('?')
  const path = query < 0 ? url : url.slice(0, query)
  const params = query < 0 ? null : url.slice(query + 1).split('&').map((pair) => {
    const eq = pair.indexOf('=')
    if (eq < 0) return pair
    let name = pair.slice(0, eq)
    try { name = decodeURIComponent(name) } catch { /* a malformed name is kept as it is */ }
    return SECRET_PARAMETER.test(name) ? `${pair.slice(0, eq)}=${REDACTED}` : pair
  }).join('&')
  return `${path}${params === null ? '' : `?${params}`}`.replace(JWT, REDACTED)
}

interface LoggedRequest {
  method: string
  url: string
  host?: string
  ip?: string
  socket?: { remotePort?: number }
}

/**
 * Fastify's logger options with credentials kept out: the request's URL redacted (redactUrl) and
 * the Authorization and Cookie headers censored wherever a log line carries them.
 */
export function redactingLogger(logger: FastifyServerOptions['logger']): FastifyServerOptions['logger'] {
  if (!logger) return logger
  const options = logger === true ? {} : logger
  return {
    ...options,
    redact: { paths: ['req.headers.authorization', 'req.headers.cookie', 'headers.authorization', 'headers.cookie'], censor: REDACTED },
    serializers: {
      ...options.serializers,
      req: (req: LoggedRequest) => ({ method: req.method, url: redactUrl(req.url), host: req.host, remoteAddress: req.ip, remotePort: req.socket?.remotePort }),
    },
  }
}
