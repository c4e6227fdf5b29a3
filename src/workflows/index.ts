export { outboundSend } from './outboundSend.js';
export { syncTemplatesWorkflow } from './syncTemplates.js';
