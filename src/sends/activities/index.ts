import type { ActivityDeps } from './deps.js';
import { acceptSendActivity } from './accept.js';
import { deliverMessageActivity } from './deliver.js';
import { disposeThreadActivity } from './dispose.js';
import { reserveSendActivity } from './reserve.js';
import { paceDueSendActivity, scheduleSendActivity } from './schedule.js';
import { startFallbackStepActivity } from './fallback.js';
import { abandonSendActivity, noteTransientFailureActivity, recordSendStateActivity, settleMessageActivity } from './status.js';
import { validateSendActivity } from './validate.js';

export type { ActivityDeps } from './deps.js';

/** The send's activities, built from what they touch. */
export function createSendActivities(deps: ActivityDeps) {
  return {
    scheduleSend: scheduleSendActivity(deps),
    paceDueSend: paceDueSendActivity(deps),
    acceptSend: acceptSendActivity(deps),
    validateSend: validateSendActivity(deps),
    reserveSend: reserveSendActivity(deps),
    deliverMessage: deliverMessageActivity(deps),
    startFallbackStep: startFallbackStepActivity(deps),
    disposeThread: disposeThreadActivity(deps),
    settleMessage: settleMessageActivity(deps),
    noteTransientFailure: noteTransientFailureActivity(deps),
    recordSendState: recordSendStateActivity(deps),
    abandonSend: abandonSendActivity(deps),
  };
}

export type SendActivities = ReturnType<typeof createSendActivities>;
