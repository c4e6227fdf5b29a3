import { errorText, postBody } from './http.js';

// The callbacks a sandbox posts back after it accepted a send (status callbacks, later; retried
// until answered 200, like the providers do). reset() and close() leave nothing behind: pending
// timers are cleared, posts on the wire are aborted, and a timer or post begun before them records
// nothing, so one test's callbacks never land among the next one's.

const CALLBACK_TIMEOUT_MS = 10_000;

/** How one post ended: the HTTP status answered, or why there was none. */
export type PostOutcome = { responseStatus: number } | { error: string };

/** How a try of a callback went: null when there was nothing to post, or it was forgotten. */
type TryReport = { responseStatus?: number; error?: string } | null;

export interface CallbackScheduler {
  /** Runs `task` after `ms` unless reset() or close() comes first. */
  later(ms: number, task: () => void): void;
  /** For a request of the sandbox's own: aborted by reset() and close(), and after 10 s. */
  signal(): AbortSignal;
  /** POSTs `body` and reads the answer; null when reset() or close() came in between. */
  post(url: string, headers: Record<string, string>, body: string): Promise<PostOutcome | null>;
  /**
   * Makes try 1 of a callback, then tries again after each retry delay until one is answered 200;
   * `dropped` hears of a callback that ran out of tries. Resolves once the first try is settled.
   */
  deliver(tryPost: (tryNumber: number) => Promise<TryReport>, dropped?: (tries: number) => void): Promise<void>;
  /**
   * A queue for one message's callbacks: each task starts when the one before it has settled, so
   * timers that fire close together under load do not race each other to the receiver. Tasks
   * still queued at a reset() or close() are dropped.
   */
  inOrder(): (task: () => Promise<void>) => void;
  /** Forgets every pending timer and post. */
  reset(): void;
  /** reset(), for good: nothing is scheduled or recorded any more. */
  close(): void;
}

/** @param retryDelaysMs the wait before each re-post of a callback not answered 200 */
export function createScheduler(retryDelaysMs: readonly number[]): CallbackScheduler {
  const timers = new Set<NodeJS.Timeout>();
  let generation = 0;
  let aborter = new AbortController();
  let closed = false;

  /** True until the next reset() or close(). */
  function untilReset(): () => boolean {
    const taken = generation;
    return () => taken === generation && !closed;
  }

  function later(ms: number, task: () => void) {
    const current = untilReset();
    const timer = setTimeout(() => {
      timers.delete(timer);
      if (current()) task();
    }, Math.max(0, ms));
    timers.add(timer);
  }

  const signal = () => AbortSignal.any([aborter.signal, AbortSignal.timeout(CALLBACK_TIMEOUT_MS)]);

  async function post(url: string, headers: Record<string, string>, body: string): Promise<PostOutcome | null> {
    const current = untilReset();
    let outcome: PostOutcome;
    try {
      outcome = { responseStatus: (await postBody(url, headers, body, signal())).status };
    } catch (e) {
      outcome = { error: errorText(e) };
    }
    return current() ? outcome : null;
  }

  async function deliver(tryPost: (tryNumber: number) => Promise<TryReport>, dropped?: (tries: number) => void, tryNumber = 1): Promise<void> {
    const report = await tryPost(tryNumber);
    if (!report || report.responseStatus === 200) return;
    const wait = retryDelaysMs[tryNumber - 1];
    if (wait === undefined) return dropped?.(tryNumber);
    later(wait, () => void deliver(tryPost, dropped, tryNumber + 1));
  }

  function inOrder() {
    const current = untilReset();
    let chain: Promise<void> = Promise.resolve();
    return (task: () => Promise<void>) => {
      chain = chain.then(() => (current() ? task() : undefined));
    };
  }

  function reset() {
    generation += 1;
    for (const t of timers) clearTimeout(t);
    timers.clear();
    aborter.abort();
    aborter = new AbortController();
  }

  return {
    later,
    signal,
    post,
    deliver,
    inOrder,
    reset,
    close() {
      reset();
      closed = true;
    },
  };
}
