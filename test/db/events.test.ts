import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomUUID } from 'node:crypto';
import { listenForEvents, publish, type EventBus, type HeraldEvent } from '../../src/db/events.js';
import { openTestDatabase, type TestDatabase } from '../support/database.js';

// What a subscriber hears of a change (R22, R23): nothing before the change commits, nothing of a
// transaction that rolls back, everything of one that commits, in order. On PostgreSQL that is
// NOTIFY; on PGlite the announcements stay in this process and are handed over at commit.

let database: TestDatabase;
let bus: EventBus;
let second: EventBus;
beforeAll(async () => {
  database = await openTestDatabase();
  bus = await listenForEvents(database);
  second = await listenForEvents(database);
});
afterAll(async () => {
  await second?.close();
  await bus?.close();
  await database?.drop();
});

const heardBy = (events: EventBus) => {
  const heard: string[] = [];
  const off = events.on((e: HeraldEvent) => { if (e.type === 'send') heard.push(e.sendId); });
  return { heard, off };
};
const settle = () => new Promise((r) => setTimeout(r, 300));

describe('events', () => {
  it('R22: a transaction is heard once it commits, by every listener, in order; one that rolls back is never heard', async () => {
    const one = heardBy(bus);
    const two = heardBy(second);
    const [a, b, c] = [randomUUID(), randomUUID(), randomUUID()];
    await database.db.transaction(async (tx) => {
      await publish(tx, { type: 'send', sendId: a });
      await publish(tx, { type: 'send', sendId: b });
      await settle();
      expect(one.heard).toEqual([]);
    });
    await expect(database.db.transaction(async (tx) => {
      await publish(tx, { type: 'send', sendId: c });
      throw new Error('rolled back');
    })).rejects.toThrow('rolled back');
    await settle();
    expect(one.heard).toEqual([a, b]);
    expect(two.heard).toEqual([a, b]);
    one.off();
    two.off();
  });

  it('R22: a change outside a transaction is heard at once; a closed listener hears nothing more', async () => {
    const one = heardBy(bus);
    const id = randomUUID();
    await publish(database.db, { type: 'send', sendId: id });
    await settle();
    expect(one.heard).toEqual([id]);
    const closing = await listenForEvents(database);
    const gone = heardBy(closing);
    await closing.close();
    await publish(database.db, { type: 'send', sendId: randomUUID() });
    await settle();
    expect(gone.heard).toEqual([]);
    one.off();
  });
});
