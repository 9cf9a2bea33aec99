// Personal data in event payloads (names, addresses), masked unless the admin asks to reveal it.

/** Payload fields that name or locate a person, wherever they sit in a payload (a shipping address holds most). */
const PERSONAL_FIELDS = new Set(['name', 'line1', 'line2', 'city', 'postalCode', 'email', 'phone'])

export const MASK = '••••••'

/** A copy of the value with every personal field's value replaced by MASK; arrays and nested records are walked. */
export function maskPersonalData(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(maskPersonalData)
  if (value === null || typeof value !== 'object') return value
  return Object.fromEntries(Object.entries(value).map(([key, v]) => [key, PERSONAL_FIELDS.has(key) && v !== null ? MASK : maskPersonalData(v)]))
}

/** JSON as the pages show it: indented, with 64-bit integers (bigint) as numbers' text. */
export function prettyJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => (typeof v === 'bigint' ? v.toString() : v), 2)
}
