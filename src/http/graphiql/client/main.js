// @ts-check
// Herald's GraphiQL page, run in the browser. Bundled by ../build.ts with esbuild from npm packages
// (graphiql 5, React, Monaco, graphql-ws), so nothing is fetched from outside Herald: Monaco's web
// workers are bundled too and started from Herald's own origin.
//
// The page reads its settings from <script type="application/json" id="herald-graphiql-config">
// (no inline script: the Content-Security-Policy allows scripts from Herald only). Plain JavaScript
// on purpose: the server's tsconfig has no DOM types; `npx tsc -p src/http/graphiql/client` checks
// this file with them.

import { GraphiQL } from 'graphiql';
import { createElement as h, useEffect, useMemo, useRef, useState } from 'react';
import { createRoot } from 'react-dom/client';
import { createClient } from 'graphql-ws';
import { buildSchema, getOperationAST, parse } from 'graphql';
import 'graphiql/style.css';
import './herald.css';

/**
 * @typedef {{ query: string; variables?: string; headers?: string }} TabDefinition
 * @typedef {{ endpoint: string; demo: { token: string } | null; tabs: TabDefinition[]; schema: string | null }} PageConfig
 * @typedef {{ state: 'idle' | 'connecting' | 'connected' | 'closed'; detail?: string }} SocketState
 * @typedef {{ data?: unknown; errors?: unknown[] }} Result
 */

const TOKEN_KEY = 'herald:graphiql:token';

// Monaco asks for a worker per language; each is a bundle next to this one (same origin, so the
// CSP's worker-src 'self' is enough: no blob: URLs).
/** @type {any} */ (globalThis).MonacoEnvironment = {
  /** @param {string} _workerId @param {string} label */
  getWorker(_workerId, label) {
    const file = label === 'json' ? 'json.worker.js' : label === 'graphql' ? 'graphql.worker.js' : 'editor.worker.js';
    return new Worker(new URL(file, import.meta.url), { name: `monaco-${label}` });
  },
};

/** @returns {PageConfig} */
function readConfig() {
  const element = document.getElementById('herald-graphiql-config');
  return JSON.parse(element?.textContent ?? '{}');
}

/** @param {string | null} value */
function store(value) {
  try {
    if (value) localStorage.setItem(TOKEN_KEY, value);
    else localStorage.removeItem(TOKEN_KEY);
  } catch {
    // Storage may be off (private mode, policies): the token then lasts for the page only.
  }
}

function stored() {
  try {
    return localStorage.getItem(TOKEN_KEY);
  } catch {
    return null;
  }
}

/**
 * "Bearer <token>" from the token field; a value that already names its scheme is used as is.
 * @param {string} token
 */
function bearer(token) {
  const trimmed = token.trim();
  if (!trimmed) return null;
  return /^bearer\s/i.test(trimmed) ? trimmed : `Bearer ${trimmed}`;
}

/**
 * The Authorization the headers editor sets, if any (it wins over the token field).
 * @param {Record<string, unknown> | undefined} headers
 */
function authorizationIn(headers) {
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (name.toLowerCase() === 'authorization' && typeof value === 'string' && value.trim()) return value.trim();
  }
  return null;
}

/** @param {unknown} error @returns {unknown[]} */
function errorsOf(error) {
  if (Array.isArray(error)) return error;
  if (error && typeof error === 'object' && 'code' in error && 'reason' in error) {
    const close = /** @type {{ code: number; reason: string }} */ (error);
    return [{ message: `The WebSocket was closed (${close.code}${close.reason ? `: ${close.reason}` : ''}).` }];
  }
  if (error instanceof Error) return [{ message: error.message }];
  if (error && typeof error === 'object' && 'type' in error && /** @type {{ type: unknown }} */ (error).type === 'error') {
    return [{ message: 'The WebSocket could not connect.' }];
  }
  return [{ message: String(error) }];
}

/**
 * @param {string} query
 * @param {string | null | undefined} operationName
 */
function isSubscription(query, operationName) {
  try {
    return getOperationAST(parse(query), operationName ?? undefined)?.operation === 'subscription';
  } catch {
    return false;
  }
}

/**
 * One graphql-ws client per Authorization: the token goes in connection_init, so another token
 * needs another connection.
 * @param {string} url
 * @param {(state: SocketState) => void} report
 */
function socketPool(url, report) {
  /** @type {import('graphql-ws').Client | null} */
  let client = null;
  /** @type {string | null} */
  let clientAuthorization = null;
  return {
    /** @param {string | null} authorization */
    client(authorization) {
      if (client && clientAuthorization === authorization) return client;
      client?.dispose();
      clientAuthorization = authorization;
      report({ state: 'idle' });
      client = createClient({
        url,
        lazy: true,
        retryAttempts: 2,
        connectionParams: () => (authorization ? { authorization } : {}),
        on: {
          connecting: () => report({ state: 'connecting' }),
          connected: () => report({ state: 'connected' }),
          closed: (event) => {
            const close = /** @type {{ code?: number; reason?: string }} */ (event ?? {});
            report({ state: 'closed', detail: close.code ? `${close.code}${close.reason ? ` ${close.reason}` : ''}` : undefined });
          },
        },
      });
      return client;
    },
  };
}

/**
 * A subscription as GraphiQL wants it: an async iterable whose iterator is always the same object
 * (GraphiQL stops it by calling return() on `[Symbol.asyncIterator]()`), errors shown as a result.
 * @param {import('graphql-ws').Client} client
 * @param {{ query: string; variables?: Record<string, unknown> | null; operationName?: string | null }} params
 */
function subscription(client, params) {
  const inner = client.iterate({ query: params.query, variables: params.variables ?? undefined, operationName: params.operationName ?? undefined });
  let failed = false;
  /** @type {AsyncIterableIterator<Result>} */
  const iterator = {
    [Symbol.asyncIterator]: () => iterator,
    async next() {
      if (failed) return { done: true, value: undefined };
      try {
        return /** @type {IteratorResult<Result>} */ (await inner.next());
      } catch (error) {
        failed = true;
        return { done: false, value: { errors: errorsOf(error) } };
      }
    },
    async return() {
      failed = true;
      await inner.return?.();
      return { done: true, value: undefined };
    },
  };
  return iterator;
}

/**
 * @param {PageConfig} config
 * @param {() => string} token
 * @param {(state: SocketState) => void} report
 * @returns {import('@graphiql/toolkit').Fetcher}
 */
function createFetcher(config, token, report) {
  const wsUrl = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}${config.endpoint}`;
  const sockets = socketPool(wsUrl, report);
  return async (params, options) => {
    const headers = /** @type {Record<string, string>} */ ({ ...(options?.headers ?? {}) });
    const authorization = authorizationIn(headers) ?? bearer(token());
    if (isSubscription(params.query, params.operationName)) return subscription(sockets.client(authorization), params);
    for (const name of Object.keys(headers)) if (name.toLowerCase() === 'authorization') delete headers[name];
    const response = await fetch(config.endpoint, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/graphql-response+json, application/json',
        ...headers,
        ...(authorization ? { authorization } : {}),
      },
      body: JSON.stringify({ query: params.query, variables: params.variables ?? undefined, operationName: params.operationName ?? undefined }),
    });
    const text = await response.text();
    try {
      return JSON.parse(text);
    } catch {
      return { errors: [{ message: `HTTP ${response.status}: ${text.slice(0, 500)}` }] };
    }
  };
}

/**
 * ?query=…&variables=…&operationName=… open a tab with that operation (a link can carry one).
 * @returns {{ query?: string; variables?: string }}
 */
function fromAddress() {
  const params = new URLSearchParams(location.search);
  const query = params.get('query') ?? undefined;
  const variables = params.get('variables') ?? undefined;
  return { query, variables };
}

/** @param {{ config: PageConfig }} props */
function App({ config }) {
  const [token, setToken] = useState(() => stored() ?? config.demo?.token ?? '');
  const [socket, setSocket] = useState(/** @type {SocketState} */ ({ state: 'idle' }));
  // The fetcher reads the token when it runs, so typing a token does not rebuild GraphiQL.
  const tokenRef = useRef(token);
  tokenRef.current = token;
  useEffect(() => store(token.trim() || null), [token]);
  const fetcher = useMemo(() => createFetcher(config, () => tokenRef.current, setSocket), []);
  const address = useMemo(fromAddress, []);
  // The schema the server sent with the page (SDL): no introspection request then.
  const schema = useMemo(() => (config.schema ? buildSchema(config.schema) : undefined), []);
  const defaultTabs = useMemo(() => {
    const tabs = config.tabs.map((tab) => ({ query: tab.query, variables: tab.variables, headers: tab.headers }));
    return address.query ? [{ query: address.query, variables: address.variables }, ...tabs] : tabs;
  }, []);

  const bar = h('header', { className: 'herald-bar' },
    h('strong', { className: 'herald-title' }, 'Herald'),
    h('label', { className: 'herald-token' },
      h('span', null, 'Bearer token'),
      h('input', {
        id: 'herald-token',
        // A real token stays hidden (screenshots, screen sharing); the demo's is shown.
        type: config.demo ? 'text' : 'password',
        autoComplete: 'off',
        spellCheck: false,
        placeholder: 'your API token',
        value: token,
        onChange: (/** @type {{ target: HTMLInputElement }} */ event) => setToken(event.target.value),
      })),
    h('span', { className: 'herald-hint' }, 'used over HTTP and in the WebSocket\'s connection_init; an Authorization in the Headers tab overrides it'),
    h('span', { id: 'herald-socket', className: `herald-socket herald-socket-${socket.state}`, title: 'the subscriptions WebSocket' },
      `ws: ${socket.state}${socket.detail ? ` (${socket.detail})` : ''}`),
  );
  const graphiql = h(GraphiQL, {
    fetcher,
    ...(schema ? { schema } : {}),
    defaultTabs,
    ...(address.query ? { initialQuery: address.query, initialVariables: address.variables } : {}),
    defaultEditorToolsVisibility: config.demo ? 'variables' : false,
    isHeadersEditorEnabled: true,
    shouldPersistHeaders: false,
  });
  return h('div', { className: 'herald-page' }, bar, h('main', { className: 'herald-graphiql' }, graphiql));
}

const root = document.getElementById('herald-graphiql-root');
if (root) createRoot(root).render(h(App, { config: readConfig() }));
