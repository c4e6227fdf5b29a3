import { condition, proxyActivities, proxyLocalActivities, setHandler } from '@temporalio/workflow';
import { bareAcceptedUpdate, bareStatusSignal, type BareActivities } from './shared.js';

// Started with Update-with-Start; the update answers after one local activity (validate and
// reserve); one activity delivers; one signal per delivery status, each written down.

const { reserve } = proxyLocalActivities<BareActivities>({ startToCloseTimeout: '30 seconds' });
const { deliver, recordStatus } = proxyActivities<BareActivities>({ startToCloseTimeout: '30 seconds' });

export async function bareSend(): Promise<void> {
  let reserved = false;
  const statuses: string[] = [];
  setHandler(bareAcceptedUpdate, async () => {
    await condition(() => reserved);
    return 'reserved' as const;
  });
  setHandler(bareStatusSignal, (status) => void statuses.push(status));

  await reserve();
  reserved = true;
  await deliver();
  // DELIVERED, then READ (SENT is known from deliver and changes nothing).
  for (let received = 0; received < 2; received++) {
    await condition(() => statuses.length > 0);
    await recordStatus(statuses.shift()!);
  }
}
