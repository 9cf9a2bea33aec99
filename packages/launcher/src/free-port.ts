// Picks the port a launched service listens on.
import { createServer } from 'node:net'

/** A TCP port on the loopback nobody listens on right now: `preferred` where it is free, else any. */
export async function freePort(preferred = 0): Promise<number> {
  const tryListen = (port: number) => new Promise<number | null>((resolve) => {
    const server = createServer()
    server.once('error', () => resolve(null))
    server.listen(port, '127.0.0.1', () => {
      const address = server.address()
      const bound = typeof address === 'object' && address ? address.port : null
      server.close(() => resolve(bound))
    })
  })
  return (await tryListen(preferred)) ?? (await tryListen(0)) ?? Promise.reject(new Error('no free port'))
}
