import { DefaultLogger, Runtime } from '@temporalio/worker';

let installed = false;

/**
 * The SDK logs every worker state change and the whole webpack report at INFO. Herald keeps its
 * console for what matters: WARN unless TEMPORAL_LOG_LEVEL says otherwise. Must run before
 * anything touches the core runtime (the dev server, a connection, a worker).
 */
export function installTemporalRuntime(): void {
  if (installed) return;
  installed = true;
  const level = (process.env.TEMPORAL_LOG_LEVEL ?? 'WARN') as 'TRACE' | 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';
  try {
    Runtime.install({ logger: new DefaultLogger(level) });
  } catch {
    // The host (a test harness, an embedding application) installed its own runtime: keep it.
  }
}
