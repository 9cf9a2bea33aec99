// Who may act for a customer, for the routes to ask before they write: the customer themselves, or an admin (else 404 or 403).
import type { Caller } from './auth.ts'
import { Forbidden } from './errors.ts'

// A customer acts only on what is theirs; an admin on anything. Pure, so a route can ask before
// it writes anything.

/**
 * Whether the caller may see or change something that belongs to `customerId`. Routes answer
 * 404 when not, exactly as for something that does not exist, so nobody learns what others have.
 */
export function mayActFor(caller: Caller, customerId: string): boolean {
  return caller.role === 'admin' || caller.sub === customerId
}

/**
 * A request that names a customer (an order's customerId, a filter, a deposit's account) must
 * name the caller, unless an admin makes it: 403 rule 'customer-mismatch'.
 */
export function assertActingFor(caller: Caller, customerId: string, field: string): void {
  if (!mayActFor(caller, customerId)) {
    throw new Forbidden(`${field} must be your own customer id (${caller.sub})`, 'customer-mismatch', field)
  }
}
