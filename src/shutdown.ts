import { logger } from './log.js';

// Ctrl-C in a terminal reaches the whole process group, the Temporal dev server included, so a
// part that waits on it (a worker draining its polls) may wait forever. Each step gets a bound;
// whatever is left when the process exits goes with it.

export async function stopStep(name: string, stop: () => Promise<unknown>, withinMs = 5_000): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<void>((resolve) => {
    timer = setTimeout(() => {
      logger.warn({ part: name, withinMs }, 'did not stop in time; leaving it to the process exit');
      resolve();
    }, withinMs);
  });
  logger.debug({ part: name }, 'stopping');
  try {
    await Promise.race([stop().catch((err: unknown) => logger.error({ part: name, err }, 'failed to stop')), deadline]);
  } finally {
    clearTimeout(timer);
  }
}
