// Integer fields of query strings and path parameters converted from strings before validation; bodies are never coerced.
import type { FastifyRequest } from 'fastify'

/**
 * Bodies are validated without type coercion (a quantity of "5" is a wrong type), but query
 * strings and path parameters are all strings: their integer fields are converted before
 * validation. Only whole decimal numbers are converted, so '5.5' or '1e2' still fail.
 */
export async function coerceIntegerParameters(request: FastifyRequest): Promise<void> {
  const schema = request.routeOptions.schema
  coerce(schema?.querystring, request.query)
  coerce(schema?.params, request.params)
}

function coerce(schema: unknown, values: unknown): void {
  const properties = (schema as { properties?: Record<string, { type?: unknown }> } | undefined)?.properties
  if (!properties || !values || typeof values !== 'object') return
  const record = values as Record<string, unknown>
  for (const [name, property] of Object.entries(properties)) {
    const value = record[name]
    if (property.type === 'integer' && typeof value === 'string' && /^-?\d{1,15}$/.test(value)) record[name] = Number(value)
  }
}
