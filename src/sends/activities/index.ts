import type { ActivityDeps } from './deps.js';
import { deliverMessageActivity } from './deliver.js';
import { disposeThreadActivity } from './dispose.js';
import { reserveSendActivity } from './reserve.js';
import { abandonSendActivity, noteTransientFailureActivity, recordSendStateActivity, settleMessageActivity } from './status.js';
import { syncTemplatesActivity } from '../../templates/activities.js';
import { validateSendActivity } from './validate.js';

export type { ActivityDeps } from './deps.js';

export function createActivities(deps: ActivityDeps) {
  return {
    validateSend: validateSendActivity(deps),
    reserveSend: reserveSendActivity(deps),
    deliverMessage: deliverMessageActivity(deps),
    disposeThread: disposeThreadActivity(deps),
    settleMessage: settleMessageActivity(deps),
    noteTransientFailure: noteTransientFailureActivity(deps),
    recordSendState: recordSendStateActivity(deps),
    abandonSend: abandonSendActivity(deps),
    syncTemplates: syncTemplatesActivity(deps),
  };
}

export type Activities = ReturnType<typeof createActivities>;
