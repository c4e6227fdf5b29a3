import { defineSearchAttributeKey } from '@temporalio/common';

// Registered on the dev server and in docker-compose, so the Temporal UI can filter sends the
// way `sends(filter)` does (R24).
export const SA_AGENT = defineSearchAttributeKey('HeraldAgentId', 'KEYWORD');
export const SA_CLIENT = defineSearchAttributeKey('HeraldClientId', 'KEYWORD');
export const SA_CHANNEL = defineSearchAttributeKey('HeraldChannel', 'KEYWORD');
export const SA_STATE = defineSearchAttributeKey('HeraldSendState', 'KEYWORD');

export const SEARCH_ATTRIBUTES = [SA_AGENT, SA_CLIENT, SA_CHANNEL, SA_STATE];
