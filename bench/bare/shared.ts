import { defineSignal, defineUpdate } from '@temporalio/workflow';

// The bare shape's contract: the cheapest durable send that keeps R6, R7 and R19–R21, with no
// Herald code in it (npm run bench measures Herald against it in the same run).

export const BARE_TASK_QUEUE = 'bench-bare-shape';
export const BARE_WORKFLOW = 'bareSend';

/** Answered once the send is reserved (Herald's sendMessage answer). */
export const bareAcceptedUpdate = defineUpdate<'reserved'>('accepted');
/** One delivery status, as Herald's webhook passes it on. */
export const bareStatusSignal = defineSignal<[string]>('deliveryStatus');

/** The shape's steps; their bodies are no-ops (the benchmark notes when each ran). */
export interface BareActivities {
  /** Validate and reserve in one database transaction (a local activity). */
  reserve(): Promise<void>;
  /** Hand the message to the channel; the channel then reports DELIVERED and READ. */
  deliver(): Promise<void>;
  /** Write a status to the database. */
  recordStatus(status: string): Promise<void>;
}
