import { createHash, randomBytes } from 'node:crypto';
import { promises as fs, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import zlib from 'node:zlib';

// Builds GraphiQL's browser files from npm packages with esbuild: the page's bundle (React,
// graphiql 5, Monaco, graphql-ws; ESM, split so Monaco loads after the first paint), its CSS, and
// Monaco's three web workers (editor, JSON, GraphQL) as classic scripts started from Herald's own
// origin. Built once per process on first use, kept in memory with gzip and brotli copies, and
// also kept under node_modules/.cache/herald/graphiql/<key>/ so the next start skips esbuild when
// nothing that goes into the bundle changed (the key hashes the client's sources, the packages'
// versions and package-lock.json). Never written into the source tree; where the cache folder is
// not writable (a read-only image) the build lives in memory only.

const require = createRequire(import.meta.url);
const here = path.dirname(fileURLToPath(import.meta.url));
const clientDir = path.join(here, 'client');

/** Bump when the build's settings change in a way the key would not see. */
const BUILD_FORMAT = 3;

export interface BuiltFile {
  contentType: string;
  body: Buffer;
  /** Null where compressing does not pay (woff and woff2 are compressed already). */
  gzip: Buffer | null;
  brotli: Buffer | null;
}

export interface Build {
  /** Hash of everything that went in; assets are served under /<prefix>/<key>/. */
  key: string;
  files: Map<string, BuiltFile>;
  /** Where it came from, for the log line. */
  source: 'cache' | 'esbuild';
  millis: number;
}

const CONTENT_TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.ttf': 'font/ttf',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

export function contentTypeOf(file: string): string {
  return CONTENT_TYPES[path.extname(file)] ?? 'application/octet-stream';
}

const gzip = promisify(zlib.gzip);
const brotli = promisify(zlib.brotliCompress);

async function compressed(file: string, body: Buffer): Promise<BuiltFile> {
  const [gz, br] = await Promise.all([
    gzip(body, { level: 9 }),
    brotli(body, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 9, [zlib.constants.BROTLI_PARAM_SIZE_HINT]: body.length } }),
  ]);
  const worth = (packed: Buffer) => (packed.length < body.length * 0.9 ? packed : null);
  return { contentType: contentTypeOf(file), body, gzip: worth(gz), brotli: worth(br) };
}

function versionOf(pkg: string): string {
  try {
    return (JSON.parse(readFileSync(require.resolve(`${pkg}/package.json`), 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}

/** node_modules holding graphiql (the root one in an npm install). */
function nodeModulesDir(): string {
  return path.resolve(path.dirname(require.resolve('graphiql/package.json')), '..');
}

export function defaultCacheDir(): string {
  return path.join(nodeModulesDir(), '.cache', 'herald', 'graphiql');
}

const PACKAGES = ['graphiql', '@graphiql/react', '@graphiql/toolkit', 'monaco-editor', 'monaco-graphql', 'react', 'react-dom', 'graphql', 'graphql-ws', 'esbuild'];

/** The key: changes whenever the bundle would. */
export async function buildKey(): Promise<string> {
  const hash = createHash('sha256');
  hash.update(`format ${BUILD_FORMAT}\n`);
  for (const pkg of PACKAGES) hash.update(`${pkg}@${versionOf(pkg)}\n`);
  for (const name of (await fs.readdir(clientDir)).sort()) {
    if (!/\.(js|css)$/.test(name)) continue;
    hash.update(`${name}\n`).update(await fs.readFile(path.join(clientDir, name)));
  }
  const lock = path.join(nodeModulesDir(), '..', 'package-lock.json');
  try {
    hash.update(await fs.readFile(lock));
  } catch {
    // No lock file next to node_modules: the packages' versions above still key the build.
  }
  return hash.digest('hex').slice(0, 16);
}

const MANIFEST = 'manifest.json';

type Manifest = Array<{ name: string; gzip: boolean; brotli: boolean }>;

async function readCache(dir: string): Promise<Map<string, BuiltFile> | null> {
  try {
    const manifest = JSON.parse(await fs.readFile(path.join(dir, MANIFEST), 'utf8')) as Manifest;
    const files = new Map<string, BuiltFile>();
    const read = (name: string) => fs.readFile(path.join(dir, name));
    await Promise.all(manifest.map(async (entry) => {
      const [body, gz, br] = await Promise.all([read(entry.name), entry.gzip ? read(`${entry.name}.gz`) : null, entry.brotli ? read(`${entry.name}.br`) : null]);
      files.set(entry.name, { contentType: contentTypeOf(entry.name), body, gzip: gz, brotli: br });
    }));
    return files.size > 0 ? files : null;
  } catch {
    return null;
  }
}

/** Best effort: a cache that cannot be written only costs the next start a build. */
async function writeCache(dir: string, files: Map<string, BuiltFile>): Promise<void> {
  const temp = `${dir}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
  try {
    await fs.mkdir(temp, { recursive: true });
    const manifest: Manifest = [];
    for (const [name, file] of files) {
      await fs.writeFile(path.join(temp, name), file.body);
      if (file.gzip) await fs.writeFile(path.join(temp, `${name}.gz`), file.gzip);
      if (file.brotli) await fs.writeFile(path.join(temp, `${name}.br`), file.brotli);
      manifest.push({ name, gzip: file.gzip !== null, brotli: file.brotli !== null });
    }
    // The manifest last: a folder without one is never read as a build.
    await fs.writeFile(path.join(temp, MANIFEST), JSON.stringify(manifest));
    // Another process may have written the same key meanwhile: either copy is the same build.
    await fs.rename(temp, dir).catch(() => undefined);
  } catch {
    // Not writable (a read-only image, another user's node_modules): memory only.
  } finally {
    await fs.rm(temp, { recursive: true, force: true }).catch(() => undefined);
  }
  // Older builds are of no further use.
  try {
    const parent = path.dirname(dir);
    for (const entry of await fs.readdir(parent)) {
      if (entry !== path.basename(dir) && !entry.includes('.tmp-')) await fs.rm(path.join(parent, entry), { recursive: true, force: true });
    }
  } catch {
    // Nothing to tidy.
  }
}

async function runEsbuild(): Promise<Map<string, BuiltFile>> {
  const esbuild = await import('esbuild');
  const common: import('esbuild').BuildOptions & { write: false } = {
    absWorkingDir: nodeModulesDir(),
    bundle: true,
    minify: true,
    write: false,
    platform: 'browser',
    target: ['es2022', 'chrome110', 'firefox115', 'safari16'],
    define: { 'process.env.NODE_ENV': '"production"' },
    // The packages' copyright and licence comments stay, once each, at the end of each file.
    legalComments: 'eof',
    logLevel: 'silent',
    outdir: '/graphiql',
  };
  // Monaco's JavaScript imports its own CSS; graphiql/style.css already holds all of it (with the
  // codicon font inlined), so those imports are dropped instead of bundled twice.
  const monacoCssOnce = {
    name: 'monaco-css-once',
    setup(build: import('esbuild').PluginBuild) {
      build.onResolve({ filter: /\.css$/ }, (args) => (/[\\/]monaco-editor[\\/]/.test(args.importer) ? { path: args.path, namespace: 'herald-empty' } : undefined));
      build.onLoad({ filter: /.*/, namespace: 'herald-empty' }, () => ({ contents: '', loader: 'js' }));
    },
  };
  const [app, workers] = await Promise.all([
    esbuild.build({
      ...common,
      entryPoints: { app: path.join(clientDir, 'main.js') },
      format: 'esm',
      splitting: true,
      chunkNames: 'chunk-[hash]',
      assetNames: '[name]-[hash]',
      loader: { '.ttf': 'file', '.woff': 'file', '.woff2': 'file' },
      plugins: [monacoCssOnce],
    }),
    esbuild.build({
      ...common,
      entryPoints: {
        'editor.worker': require.resolve('monaco-editor/esm/vs/editor/editor.worker.js'),
        'json.worker': require.resolve('monaco-editor/esm/vs/language/json/json.worker.js'),
        'graphql.worker': require.resolve('monaco-graphql/esm/graphql.worker.js'),
      },
      format: 'iife',
    }),
  ]);
  const outputs = new Map<string, Buffer>();
  for (const out of [...(app.outputFiles ?? []), ...(workers.outputFiles ?? [])]) outputs.set(path.relative('/graphiql', out.path), Buffer.from(out.contents));
  const css = outputs.get('app.css');
  if (css) {
    const { text, fonts } = fontsOutOfCss(css.toString('utf8'));
    outputs.set('app.css', Buffer.from(text));
    for (const [name, body] of fonts) outputs.set(name, body);
  }
  const files = new Map<string, BuiltFile>();
  await Promise.all([...outputs].map(async ([name, body]) => files.set(name, await compressed(name, body))));
  return files;
}

const FONT_EXTENSIONS: Record<string, string> = { 'font/woff2': '.woff2', 'font/woff': '.woff', 'font/ttf': '.ttf' };

/**
 * graphiql's CSS inlines its fonts (Roboto and Fira Code in many unicode ranges, Monaco's
 * codicons) as base64: 460 KB that every page load would download. Moved out into files of their
 * own, the browser fetches only the ranges a page uses, and the CSS is a quarter of the size.
 */
export function fontsOutOfCss(css: string): { text: string; fonts: Map<string, Buffer> } {
  const fonts = new Map<string, Buffer>();
  const text = css.replace(/url\(\s*(["']?)data:(font\/(?:woff2|woff|ttf));base64,([A-Za-z0-9+/=]+)\1\s*\)/g, (_match, _quote: string, type: string, data: string) => {
    const body = Buffer.from(data, 'base64');
    const name = `font-${createHash('sha256').update(body).digest('hex').slice(0, 12)}${FONT_EXTENSIONS[type]}`;
    fonts.set(name, body);
    return `url(${name})`;
  });
  return { text, fonts };
}

export interface BuildOptions {
  /** Folder for built copies; false: memory only. Default node_modules/.cache/herald/graphiql. */
  cacheDir?: string | false;
}

export async function buildGraphiql(options: BuildOptions = {}): Promise<Build> {
  const started = Date.now();
  const key = await buildKey();
  const cacheRoot = options.cacheDir === undefined ? defaultCacheDir() : options.cacheDir;
  const dir = cacheRoot ? path.join(cacheRoot, key) : null;
  if (dir) {
    const cached = await readCache(dir);
    if (cached) return { key, files: cached, source: 'cache', millis: Date.now() - started };
  }
  const files = await runEsbuild();
  if (dir) await writeCache(dir, files);
  return { key, files, source: 'esbuild', millis: Date.now() - started };
}
