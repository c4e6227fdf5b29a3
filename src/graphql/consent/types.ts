import { Field, ID, InputType, ObjectType, registerEnumType } from 'type-graphql';
import type * as E from '../../domain/enums.js';
import { connectionType } from '../common/connection.js';
import { payloadType } from '../common/payload.js';
import { ChannelEnum, DateTimeScalar } from '../scalars.js';
import { ClientChannelType } from '../clients/types.js';

// R32 consent: the audit trail of a client's opt-outs and opt-ins, the stand's keywords, and the
// administrator's mutations for both.

export const CONSENT_SOURCES = ['KEYWORD', 'ADMIN'] as const;
export type ConsentSource = (typeof CONSENT_SOURCES)[number];
export const ConsentSourceEnum = Object.fromEntries(CONSENT_SOURCES.map((s) => [s, s])) as { [K in ConsentSource]: K };
registerEnumType(ConsentSourceEnum, {
  name: 'ConsentSource',
  description: 'How a consent change came: KEYWORD (the client wrote one of the stand\'s keywords), ADMIN (an administrator set it)',
});

@ObjectType('ConsentChange', { description: 'R32: one change of a client\'s consent on a channel' })
export class ConsentChangeType {
  @Field(() => ID) id!: string;
  @Field(() => ChannelEnum) channel!: E.Channel;
  @Field(() => Boolean, { description: 'true: opted out; false: opted in again' }) optedOut!: boolean;
  @Field(() => ConsentSourceEnum) source!: ConsentSource;
  @Field(() => String, { nullable: true, description: 'KEYWORD: the stand\'s keyword the client\'s message matched' }) keyword!: string | null;
  @Field(() => String, { nullable: true, description: 'ADMIN: the reason the administrator gave' }) note!: string | null;
  @Field(() => DateTimeScalar, { description: 'KEYWORD: when the client wrote it; ADMIN: when it was set' }) at!: Date;
}

export const ConsentChangeConnectionType = connectionType('ConsentChange', () => ConsentChangeType);

@ObjectType('ConsentKeywords', { description: 'R32: an inbound message that is one of these (case, spacing and surrounding punctuation ignored) opts the client out of that channel, or back in' })
export class ConsentKeywordsType {
  @Field(() => [String]) optOut!: string[];
  @Field(() => [String]) optIn!: string[];
}

@InputType('SetClientConsentInput')
export class SetClientConsentInput {
  @Field(() => ID) clientId!: string;
  @Field(() => ChannelEnum) channel!: E.Channel;
  @Field(() => Boolean, { description: 'true: opt the client out of the channel; false: opt them in again' }) optedOut!: boolean;
  @Field(() => String, { nullable: true, description: 'why, kept in the audit trail' }) note?: string | null;
}

@InputType('ConsentKeywordsInput', { description: 'a list left out stays as it is' })
export class ConsentKeywordsInput {
  @Field(() => [String], { nullable: true }) optOut?: string[] | null;
  @Field(() => [String], { nullable: true }) optIn?: string[] | null;
}

export const SetClientConsentPayload = payloadType('SetClientConsentPayload', {
  clientChannel: { type: () => ClientChannelType, description: 'the channel as client.channels shows it now' },
  consentChange: { type: () => ConsentChangeType, description: 'the audit row written; null when the consent was already so' },
});
export const ConsentKeywordsPayload = payloadType('ConsentKeywordsPayload', { consentKeywords: { type: () => ConsentKeywordsType } });
