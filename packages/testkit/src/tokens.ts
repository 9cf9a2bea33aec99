// Bearer tokens in tests: the Authorization header, and tokens the services under test accept.
import { bearer, mintToken, type Role } from '@choreo/platform'
import { TEST_JWT_SECRET } from './service-env.ts'

/** The Authorization header of a request that carries `token` (platform's, for tests' convenience). */
export { bearer }

/** The Authorization header of `sub` acting as `role`, signed with the key services under test check. */
export function bearerAs(sub: string, role: Role = 'customer'): { authorization: string } {
  return bearer(mintToken({ sub, role }, TEST_JWT_SECRET))
}
