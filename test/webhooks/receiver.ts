import http from 'node:http';
import type { AddressInfo } from 'node:net';

// A real HTTP receiver for Herald's webhooks, as an integrator would run one: it keeps every
// request it got (headers and raw body) and answers what the test tells it to.

export interface Received {
  headers: http.IncomingHttpHeaders;
  body: string;
  event: { id: string; type: string; createdAt: string; data: any };
  answeredWith: number;
}

export interface Receiver {
  url: string;
  received: Received[];
  /** The status to answer with (200 by default); a function to decide per request. */
  answer: number | ((r: Omit<Received, 'answeredWith'>) => number);
  /** Events answered 2xx, first arrival of each id, in arrival order. */
  accepted(filter?: (e: Received['event']) => boolean): Array<Received['event']>;
  close(): Promise<void>;
}

export async function startReceiver(): Promise<Receiver> {
  const receiver: Receiver = {
    url: '',
    received: [],
    answer: 200,
    accepted(filter = () => true) {
      const seen = new Set<string>();
      const out: Array<Received['event']> = [];
      for (const r of this.received) {
        if (r.answeredWith < 200 || r.answeredWith >= 300 || seen.has(r.event.id) || !filter(r.event)) continue;
        seen.add(r.event.id);
        out.push(r.event);
      }
      return out;
    },
    close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const request = { headers: req.headers, body, event: JSON.parse(body) as Received['event'] };
      const status = typeof receiver.answer === 'function' ? receiver.answer(request) : receiver.answer;
      receiver.received.push({ ...request, answeredWith: status });
      res.writeHead(status, { 'content-type': 'text/plain' }).end(status >= 300 ? `receiver says ${status}` : 'ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/herald/events`;
  return receiver;
}
