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
