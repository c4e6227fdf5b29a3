import { printSchema, type GraphQLSchema } from 'graphql';
import { buildGraphiql, type Build, type BuildOptions } from './build.js';
import { demoTabs, type GraphiqlTab } from './examples.js';

// GraphiQL at GET /graphql for a browser, served by Herald itself: the page and every file it
// loads come from Herald's origin (built from npm packages by ./build.ts), so it works offline and
// under a strict Content-Security-Policy. Framework-free: the HTTP server mounts it (a GET /graphql
// branch for `wantsPage`, and GET <assetPrefix>* for `asset`).

export interface GraphiqlOptions {
  /** Where GraphQL answers, over HTTP POST and ws (graphql-ws): '/graphql'. */
  endpointPath: string;
  /** Embedded/demo mode: a token pre-filled and example operations ready to run, as tabs. */
  demo: { token: string } | null;
  /**
   * The schema GraphiQL shows (docs, completion, validation), sent with the page so it needs no
   * introspection request. Pass it only where introspection is allowed (GRAPHQL_INTROSPECTION);
   * without it the page introspects the endpoint itself.
   */
  schema?: GraphQLSchema | null;
  /** Path prefix of the page's files (default '/graphiql/'). */
  assetPrefix?: string;
  /** Folder for built copies between starts (default node_modules/.cache/herald/graphiql); false: memory only. */
  cacheDir?: BuildOptions['cacheDir'];
}

export interface GraphiqlResponse {
  contentType: string;
  body: string | Buffer;
  headers?: Record<string, string>;
}

export interface GraphiqlAsset extends GraphiqlResponse {
  body: Buffer;
}

export interface Graphiql {
  /** True when the request is a browser asking for a page (GET or HEAD, Accept includes text/html). */
  wantsPage(method: string, accept: string | undefined): boolean;
  /** The HTML page (builds the bundle on first use; see `prepare`). */
  page(): Promise<GraphiqlResponse>;
  /** Files are served under this prefix: `${assetPrefix}<build key>/<file>`. */
  assetPrefix: string;
  /**
   * A file under the prefix: `path` is the request's path (with or without the prefix, a query
   * string is ignored); `acceptEncoding` (the request's Accept-Encoding) picks a brotli or gzip
   * copy. Null: no such file (answer 404).
   */
  asset(path: string, acceptEncoding?: string | undefined): Promise<GraphiqlAsset | null>;
  /** Builds now (at start-up, say) instead of on the first request; resolves when ready. */
  prepare(): Promise<{ key: string; files: number; bytes: number; source: 'cache' | 'esbuild'; millis: number }>;
}

/**
 * Scripts, styles, workers and connections from Herald's origin only ('self' covers ws: and wss:
 * to the same host). Monaco adds <style> elements at run time and offers no nonce for them, hence
 * 'unsafe-inline' for styles; small icons in graphiql's CSS are data: images.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "worker-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "font-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "manifest-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

const SECURITY_HEADERS: Record<string, string> = {
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
};

/** JSON inside <script type="application/json">: nothing in it may close the element. */
function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/>/g, '\\u003e').replace(/&/g, '\\u0026')
    .replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

function escapeAttribute(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function accepts(acceptEncoding: string | undefined, coding: string): boolean {
  if (!acceptEncoding) return false;
  return acceptEncoding.split(',').some((part) => {
    const [name, ...params] = part.trim().toLowerCase().split(';');
    if (name !== coding) return false;
    const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    return !q || Number(q.slice(2)) > 0;
  });
}

export function createGraphiql(options: GraphiqlOptions): Graphiql {
  const assetPrefix = (options.assetPrefix ?? '/graphiql/').replace(/\/?$/, '/');
  const tabs: GraphiqlTab[] = options.demo ? demoTabs() : [{ query: '# Set your token above, then write a query.\n{\n  me {\n    login\n    role\n  }\n}\n' }];
  const config = { endpoint: options.endpointPath, demo: options.demo, tabs, schema: options.schema ? printSchema(options.schema) : null };

  let building: Promise<Build> | null = null;
  const build = () => {
    building ??= buildGraphiql({ cacheDir: options.cacheDir }).catch((err: unknown) => {
      building = null; // the next request tries again
      throw err;
    });
    return building;
  };

  return {
    assetPrefix,

    wantsPage(method, accept) {
      const m = method.toUpperCase();
      return (m === 'GET' || m === 'HEAD') && typeof accept === 'string' && /(^|[\s,])text\/html(\s*[;,]|\s*$)/i.test(accept);
    },

    async page() {
      const { key } = await build();
      const base = `${assetPrefix}${key}/`;
      const body = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Herald · GraphiQL</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="${escapeAttribute(base)}app.css">
<script type="application/json" id="herald-graphiql-config">${scriptJson(config)}</script>
<script type="module" src="${escapeAttribute(base)}app.js"></script>
</head>
<body>
<div id="herald-graphiql-root"></div>
<noscript>GraphiQL needs JavaScript. Without it, POST GraphQL to ${escapeAttribute(options.endpointPath)}.</noscript>
</body>
</html>
`;
      return {
        contentType: 'text/html; charset=utf-8',
        body,
        headers: {
          ...SECURITY_HEADERS,
          'content-security-policy': CONTENT_SECURITY_POLICY,
          // The page carries the demo token and names the current build: never cached.
          'cache-control': 'no-store',
        },
      };
    },

    async asset(requestPath, acceptEncoding) {
      let rest = requestPath.split('?')[0] ?? '';
      if (rest.startsWith(assetPrefix)) rest = rest.slice(assetPrefix.length);
      else if (rest.startsWith('/')) rest = rest.slice(1);
      const [key, name, ...more] = rest.split('/');
      if (!key || !name || more.length > 0) return null;
      const built = await build();
      // A page from before an upgrade asks for the old build's files: gone, as the page is stale.
      if (key !== built.key) return null;
      const file = built.files.get(name);
      if (!file) return null;
      const headers: Record<string, string> = {
        ...SECURITY_HEADERS,
        // The build key is in the path: a file under it never changes.
        'cache-control': 'public, max-age=31536000, immutable',
      };
      if (file.brotli || file.gzip) headers.vary = 'accept-encoding';
      if (file.brotli && accepts(acceptEncoding, 'br')) return { contentType: file.contentType, body: file.brotli, headers: { ...headers, 'content-encoding': 'br' } };
      if (file.gzip && accepts(acceptEncoding, 'gzip')) return { contentType: file.contentType, body: file.gzip, headers: { ...headers, 'content-encoding': 'gzip' } };
      return { contentType: file.contentType, body: file.body, headers };
    },

    async prepare() {
      const built = await build();
      let bytes = 0;
      for (const file of built.files.values()) bytes += file.body.length;
      return { key: built.key, files: built.files.size, bytes, source: built.source, millis: built.millis };
    },
  };
}

export { demoTabs, type GraphiqlTab } from './examples.js';
