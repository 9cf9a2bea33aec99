/**
 * Errors a route can throw: each carries its HTTP status and the field or rule at fault, and
 * is rendered as `{ error, message, field?, rule? }` by the error handler.
 */
export class DomainError extends Error {
  readonly statusCode: number
  readonly code: string
  readonly field: string | undefined
  readonly rule: string | undefined
  readonly details: Record<string, unknown> | undefined
  constructor(statusCode: number, code: string, message: string, extra: { field?: string; rule?: string; details?: Record<string, unknown> } = {}) {
    super(message)
    this.name = new.target.name
    this.statusCode = statusCode
    this.code = code
    this.field = extra.field
    this.rule = extra.rule
    this.details = extra.details
  }
}

export class NotFound extends DomainError {
  constructor(what: string, id: string, field?: string) {
    super(404, 'not_found', `${what} ${id} not found`, { field })
  }
}

export class Conflict extends DomainError {
  constructor(message: string, rule: string, details?: Record<string, unknown>) {
    super(409, 'conflict', message, { rule, details })
  }
}

export class Unprocessable extends DomainError {
  constructor(message: string, extra: { field?: string; rule?: string; details?: Record<string, unknown> }) {
    super(422, 'unprocessable', message, extra)
  }
}

export class BadRequest extends DomainError {
  constructor(message: string, extra: { field?: string; rule?: string }) {
    super(400, 'bad_request', message, extra)
  }
}

/** No valid bearer token: `rule` says which way it failed (token-missing, token-expired, token-invalid). */
export class UnsupportedMediaType extends DomainError {
  constructor(message: string, rule: string) {
    super(415, 'unsupported_media_type', message, { field: 'content-type', rule })
  }
}

export class Unauthorized extends DomainError {
  constructor(message: string, rule: string) {
    super(401, 'unauthorized', message, { rule })
  }
}

/** A valid token that may not do this: the wrong role, or acting for another customer. */
export class Forbidden extends DomainError {
  constructor(message: string, rule: string, field?: string) {
    super(403, 'forbidden', message, { rule, field })
  }
}

export class TooManyRequests extends DomainError {
  constructor(message: string) {
    super(429, 'rate_limited', message, { rule: 'rate-limit' })
  }
}
