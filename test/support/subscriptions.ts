import { createClient, type Client } from 'graphql-ws';
import WebSocket from 'ws';

// A graphql-ws subscriber over a real socket, collecting what arrives.

export interface Subscriber<T> {
  events: T[];
  /** Resolves with the first event that passes `match` (already received or still to come). */
  next(match: (e: T) => boolean, timeoutMs?: number): Promise<T>;
  close(): Promise<void>;
}

export function connect(baseUrl: string, token: string | null): Client {
  return createClient({
    url: `${baseUrl.replace(/^http/, 'ws')}/graphql`,
    webSocketImpl: WebSocket,
    connectionParams: token ? { authorization: `Bearer ${token}` } : {},
    retryAttempts: 0,
    lazy: false,
    onNonLazyError: () => undefined,
  });
}

export function subscribe<T = any>(client: Client, query: string, variables: Record<string, unknown> = {}): Subscriber<T> & { errors: unknown[] } {
  const events: T[] = [];
  const errors: unknown[] = [];
  const waiters = new Set<() => void>();
  const unsubscribe = client.subscribe<T>({ query, variables }, {
    next: (value) => {
      if (value.errors) errors.push(value.errors);
      if (value.data) events.push(value.data as T);
      for (const w of waiters) w();
    },
    error: (err) => { errors.push(err); for (const w of waiters) w(); },
    complete: () => undefined,
  });
  return {
    events,
    errors,
    next(match, timeoutMs = 10_000) {
      return new Promise<T>((resolve, reject) => {
        const check = () => {
          const found = events.find(match);
          if (found !== undefined) { waiters.delete(check); clearTimeout(timer); resolve(found); }
          else if (errors.length > 0) { waiters.delete(check); clearTimeout(timer); reject(new Error(`subscription error: ${JSON.stringify(errors)}`)); }
        };
        const timer = setTimeout(() => { waiters.delete(check); reject(new Error(`no matching event in ${timeoutMs} ms; got ${JSON.stringify(events)}`)); }, timeoutMs);
        waiters.add(check);
        check();
      });
    },
    async close() { unsubscribe(); },
  };
}
