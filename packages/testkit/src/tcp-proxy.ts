// A TCP proxy that can fall silent without closing, as a real partition leaves a connection: for tests and chaos runs of silent peers.
import net from 'node:net'

export interface TcpProxy {
  readonly port: number
  /** The given postgres://… URL with host:port replaced by the proxy's. */
  url(target: string): string
  /** Every connection open now stops forwarding in both directions, without closing; new connections still flow. */
  silenceExisting(): void
  /** Connections currently open through the proxy. */
  readonly connections: number
  close(): Promise<void>
}

interface Link {
  client: net.Socket
  upstream: net.Socket
  silenced: boolean
}

/**
 * A TCP forwarder on 127.0.0.1 that can go silent the way a broken middlebox does: it stops
 * forwarding but closes nothing, so neither end hears a FIN or RST, and its kernel still ACKs
 * whatever keepalive probes arrive. That is the half-open connection a real partition leaves.
 */
export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  const links = new Set<Link>()

  const server = net.createServer((client) => {
    const upstream = net.connect(target.port, target.host)
    const link: Link = { client, upstream, silenced: false }
    links.add(link)
    client.pipe(upstream)
    upstream.pipe(client)
    // A healthy link ends when either side does; a silenced one stays open until close(), since
    // in a partition the other end never learns that its peer has gone.
    const end = (): void => {
      if (link.silenced) {
        if (client.destroyed && upstream.destroyed) links.delete(link)
        return
      }
      client.destroy()
      upstream.destroy()
      links.delete(link)
    }
    for (const socket of [client, upstream]) {
      socket.on('error', end)
      socket.on('close', end)
    }
  })

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject)
      resolve()
    })
  })
  const address = server.address()
  if (address === null || typeof address === 'string') throw new Error('the proxy has no TCP address')
  const port = address.port

  return {
    port,
    url(targetUrl: string): string {
      const u = new URL(targetUrl)
      u.hostname = '127.0.0.1'
      u.port = String(port)
      return u.toString()
    },
    silenceExisting(): void {
      for (const link of links) {
        if (link.silenced) continue
        link.silenced = true
        // Unpiped and paused, a socket keeps what arrives in its buffers and forwards none of it.
        link.client.unpipe(link.upstream)
        link.upstream.unpipe(link.client)
        link.client.pause()
        link.upstream.pause()
      }
    },
    get connections(): number {
      return links.size
    },
    async close(): Promise<void> {
      for (const link of links) {
        link.client.destroy()
        link.upstream.destroy()
      }
      links.clear()
      await new Promise<void>((resolve, reject) => server.close((err) => (err ? reject(err) : resolve())))
    },
  }
}
