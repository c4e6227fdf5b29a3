import { configuredChannels } from '../config.js';
import type { EventBus } from '../db/events.js';
import { userError, UserErrorException } from '../domain/errors.js';
import { createLoaders, type Context } from './context.js';

// What every subscription needs: the event bus, and a context that reads the rows as they are at
// each event (graphql-ws builds one context per subscription).

export function fresh(ctx: Context): Context {
  ctx.now = new Date();
  ctx.loaders = createLoaders(ctx.db, ctx.viewer, ctx.now, configuredChannels(ctx.config));
  return ctx;
}

/**
 * The events of `rest`, after `first` (an event standing for the state as it is now): a subscriber
 * gets the current state at once and cannot miss a change made before its subscription started.
 */
export function startingWith<T>(first: T | null, rest: AsyncIterableIterator<T>): AsyncIterableIterator<T> {
  let pending = first;
  return {
    [Symbol.asyncIterator]() { return this; },
    async next() {
      if (pending !== null) {
        const value = pending;
        pending = null;
        return { value, done: false };
      }
      return rest.next();
    },
    async return() {
      pending = null;
      return rest.return ? rest.return() : { value: undefined, done: true };
    },
  };
}

export function events(ctx: Context): EventBus {
  if (!ctx.events) throw new UserErrorException(userError('SYSTEM_ERROR', 'Subscriptions are not available on this server.'));
  return ctx.events;
}
