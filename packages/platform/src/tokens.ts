// Bearer tokens: the one way to sign one the services accept, and to carry it in a request's Authorization header.
import { createSigner } from 'fast-jwt'

export type Role = 'customer' | 'admin'

export interface TokenClaims {
  /** The customer id (for an admin, who they are). */
  sub: string
  role: Role
}

/** Signs an HS256 bearer token the services accept: `./choreo token`, the demo and the tests use it. */
export function mintToken(claims: TokenClaims, secret: string, ttlSeconds = 3600): string {
  return createSigner({ key: secret, algorithm: 'HS256', expiresIn: ttlSeconds * 1000 })({ ...claims })
}

/** The Authorization header of a request that carries `token`. */
export function bearer(token: string): { authorization: string } {
  return { authorization: `Bearer ${token}` }
}
