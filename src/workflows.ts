export { outboundSend, outboundSendV2, outboundSendV3 } from './sends/workflow.js';
export { syncTemplatesWorkflow } from './templates/workflow.js';
export { campaign } from './campaigns/workflow.js';
