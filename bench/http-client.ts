// The saga benchmark's HTTP client: keep-alive JSON over node:http, cheaper in CPU than fetch on the machine it shares with the system.
import http from 'node:http'

export interface JsonResponse<T> {
  status: number
  body: T
}

/**
 * A keep-alive JSON client on node:http: the load generator shares two cores with the system it
 * drives, and node:http costs less CPU per request than fetch.
 */
export function createHttpClient(baseUrl: string, maxSockets: number) {
  const agent = new http.Agent({ keepAlive: true, maxSockets })
  const base = new URL(baseUrl)
  return {
    request<T>(method: string, path: string, body: unknown, headers: Record<string, string>): Promise<JsonResponse<T>> {
      const payload = body === undefined ? undefined : JSON.stringify(body)
      return new Promise((resolve, reject) => {
        const req = http.request({
          agent, host: base.hostname, port: base.port, method, path,
          headers: { ...headers, ...(payload === undefined ? {} : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) }) },
        }, (res) => {
          const chunks: Buffer[] = []
          res.on('data', (c: Buffer) => chunks.push(c))
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString()
            resolve({ status: res.statusCode ?? 0, body: (text ? JSON.parse(text) : null) as T })
          })
          res.on('error', reject)
        })
        req.on('error', reject)
        req.end(payload)
      })
    },
    close(): void {
      agent.destroy()
    },
  }
}

export type HttpClient = ReturnType<typeof createHttpClient>
