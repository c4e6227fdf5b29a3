import { defaultPayloadConverter } from '@temporalio/common';
import proto from '@temporalio/proto';
import type { History } from '@temporalio/common/lib/proto-utils.js';

// R24: a send's workflow history as supervisors read it. Each event keeps its id, its type (the
// proto enum name without EVENT_TYPE_) and time, and a few details worth a glance: which
// activity, signal or update, the timer's duration, a failure's message, the state the workflow
// entered. Inputs and results stay out: they hold the message itself.

export interface WorkflowEvent {
  id: string;
  type: string;
  time: Date;
  details: Record<string, unknown> | null;
}

type HistoryEvent = NonNullable<History['events']>[number];
type LongLike = number | { toString(): string } | null | undefined;
type Failure = { message?: string | null; cause?: Failure | null } | null | undefined;

const EVENT_TYPES = proto.temporal.api.enums.v1.EventType as unknown as Record<number, string | undefined>;

const num = (v: LongLike): number => (v === null || v === undefined ? 0 : typeof v === 'number' ? v : Number(v.toString()));
const idOf = (v: LongLike): string => String(num(v));

function timeOf(ts: { seconds?: LongLike; nanos?: number | null } | null | undefined): Date {
  return new Date(num(ts?.seconds) * 1000 + Math.floor((ts?.nanos ?? 0) / 1e6));
}

function durationMs(d: { seconds?: LongLike; nanos?: number | null } | null | undefined): number | null {
  return d ? num(d.seconds) * 1000 + Math.floor((d.nanos ?? 0) / 1e6) : null;
}

/** A failure's message with its causes, innermost last: "activity failed: edna said 500". */
function failureMessage(failure: Failure): string | null {
  const parts: string[] = [];
  for (let f = failure; f && parts.length < 5; f = f.cause) if (f.message) parts.push(f.message);
  return parts.length ? parts.join(': ') : null;
}

function typeName(event: HistoryEvent): string {
  const name = event.eventType !== null && event.eventType !== undefined ? EVENT_TYPES[event.eventType] : undefined;
  if (name) return name.replace(/^EVENT_TYPE_/, '');
  // An event type newer than this SDK: its attributes field still names it.
  const key = Object.keys(event).find((k) => k.endsWith('EventAttributes') && (event as Record<string, unknown>)[k]);
  return key ? key.replace(/EventAttributes$/, '').replace(/([a-z0-9])([A-Z])/g, '$1_$2').toUpperCase() : 'UNSPECIFIED';
}

function searchAttributes(fields: Record<string, { metadata?: Record<string, Uint8Array> | null; data?: Uint8Array | null }> | null | undefined) {
  const out: Record<string, unknown> = {};
  for (const [key, payload] of Object.entries(fields ?? {})) {
    try {
      out[key] = defaultPayloadConverter.fromPayload(payload as never);
    } catch {
      out[key] = null;
    }
  }
  return out;
}

/** Which local activity a marker records, from the SDK's JSON in its `data` detail. */
function localActivity(details: Record<string, { payloads?: Array<{ data?: Uint8Array | null }> | null }> | null | undefined): { activityType?: string; attempt?: number } {
  const data = details?.data?.payloads?.[0]?.data;
  if (!data) return {};
  try {
    const parsed = JSON.parse(Buffer.from(data).toString('utf8')) as { activity_type?: unknown; activityType?: unknown; attempt?: unknown };
    const activityType = parsed.activity_type ?? parsed.activityType;
    return { ...(typeof activityType === 'string' ? { activityType } : {}), ...(typeof parsed.attempt === 'number' ? { attempt: parsed.attempt } : {}) };
  } catch {
    return {};
  }
}

/** Drops the empty bits, so a detail object carries only what the event has. */
function compact(details: Record<string, unknown>): Record<string, unknown> | null {
  const kept = Object.entries(details).filter(([, v]) => v !== null && v !== undefined && v !== '');
  return kept.length ? Object.fromEntries(kept) : null;
}

export function workflowEvents(history: History): WorkflowEvent[] {
  const events = history.events ?? [];
  // Later events name the event that scheduled or accepted them; resolve those to names.
  const activityTypes = new Map<string, string>();
  const updateNames = new Map<string, string>();
  return events.map((e): WorkflowEvent => {
    const id = idOf(e.eventId);
    const type = typeName(e);
    let details: Record<string, unknown> | null = null;
    if (e.workflowExecutionStartedEventAttributes) {
      const a = e.workflowExecutionStartedEventAttributes;
      details = compact({ workflowType: a.workflowType?.name, taskQueue: a.taskQueue?.name, attempt: a.attempt, searchAttributes: searchAttributes(a.searchAttributes?.indexedFields) });
    } else if (e.activityTaskScheduledEventAttributes) {
      const a = e.activityTaskScheduledEventAttributes;
      const activityType = a.activityType?.name ?? null;
      if (activityType) activityTypes.set(id, activityType);
      details = compact({ activityType, activityId: a.activityId });
    } else if (e.activityTaskStartedEventAttributes) {
      const a = e.activityTaskStartedEventAttributes;
      details = compact({ activityType: activityTypes.get(idOf(a.scheduledEventId)), attempt: a.attempt, failure: failureMessage(a.lastFailure) });
    } else if (e.activityTaskCompletedEventAttributes) {
      details = compact({ activityType: activityTypes.get(idOf(e.activityTaskCompletedEventAttributes.scheduledEventId)) });
    } else if (e.activityTaskFailedEventAttributes) {
      const a = e.activityTaskFailedEventAttributes;
      details = compact({ activityType: activityTypes.get(idOf(a.scheduledEventId)), failure: failureMessage(a.failure) });
    } else if (e.activityTaskTimedOutEventAttributes) {
      const a = e.activityTaskTimedOutEventAttributes;
      details = compact({ activityType: activityTypes.get(idOf(a.scheduledEventId)), failure: failureMessage(a.failure) });
    } else if (e.activityTaskCanceledEventAttributes) {
      details = compact({ activityType: activityTypes.get(idOf(e.activityTaskCanceledEventAttributes.scheduledEventId)) });
    } else if (e.workflowExecutionSignaledEventAttributes) {
      details = compact({ signalName: e.workflowExecutionSignaledEventAttributes.signalName });
    } else if (e.workflowExecutionUpdateAdmittedEventAttributes) {
      const r = e.workflowExecutionUpdateAdmittedEventAttributes.request;
      details = compact({ updateName: r?.input?.name, updateId: r?.meta?.updateId });
    } else if (e.workflowExecutionUpdateAcceptedEventAttributes) {
      const r = e.workflowExecutionUpdateAcceptedEventAttributes.acceptedRequest;
      const updateName = r?.input?.name ?? null;
      if (updateName) updateNames.set(id, updateName);
      details = compact({ updateName, updateId: r?.meta?.updateId });
    } else if (e.workflowExecutionUpdateCompletedEventAttributes) {
      const a = e.workflowExecutionUpdateCompletedEventAttributes;
      details = compact({ updateName: updateNames.get(idOf(a.acceptedEventId)), updateId: a.meta?.updateId, failure: failureMessage(a.outcome?.failure) });
    } else if (e.workflowExecutionUpdateRejectedEventAttributes) {
      const a = e.workflowExecutionUpdateRejectedEventAttributes;
      details = compact({ updateName: a.rejectedRequest?.input?.name, updateId: a.rejectedRequest?.meta?.updateId, failure: failureMessage(a.failure) });
    } else if (e.timerStartedEventAttributes) {
      const a = e.timerStartedEventAttributes;
      details = compact({ timerId: a.timerId, durationMs: durationMs(a.startToFireTimeout) });
    } else if (e.timerFiredEventAttributes) {
      details = compact({ timerId: e.timerFiredEventAttributes.timerId });
    } else if (e.timerCanceledEventAttributes) {
      details = compact({ timerId: e.timerCanceledEventAttributes.timerId });
    } else if (e.upsertWorkflowSearchAttributesEventAttributes) {
      details = compact({ searchAttributes: searchAttributes(e.upsertWorkflowSearchAttributesEventAttributes.searchAttributes?.indexedFields) });
    } else if (e.markerRecordedEventAttributes) {
      // A local activity (validate and reserve) leaves a marker, not scheduled/completed events.
      const a = e.markerRecordedEventAttributes;
      details = compact({ markerName: a.markerName, ...localActivity(a.details), failure: failureMessage(a.failure) });
    } else if (e.workflowTaskFailedEventAttributes) {
      details = compact({ failure: failureMessage(e.workflowTaskFailedEventAttributes.failure) });
    } else if (e.workflowExecutionFailedEventAttributes) {
      details = compact({ failure: failureMessage(e.workflowExecutionFailedEventAttributes.failure) });
    } else if (e.workflowExecutionTerminatedEventAttributes) {
      details = compact({ reason: e.workflowExecutionTerminatedEventAttributes.reason });
    } else if (e.workflowExecutionCancelRequestedEventAttributes) {
      details = compact({ cause: e.workflowExecutionCancelRequestedEventAttributes.cause });
    }
    return { id, type, time: timeOf(e.eventTime), details };
  });
}
