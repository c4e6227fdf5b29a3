export { outboundSend } from './outboundSend.js';
