import { Field, ID, ObjectType } from 'type-graphql';
import type * as E from '../../domain/enums.js';
import { NodeInterface } from '../common/node.js';
import { payloadType } from '../common/payload.js';
import { ChannelEnum, TemplateVariableTypeEnum } from '../scalars.js';

@ObjectType('TemplateVariable')
export class TemplateVariableType {
  @Field(() => String) key!: string;
  @Field(() => TemplateVariableTypeEnum) type!: E.TemplateVariableType;
  @Field(() => String, { nullable: true }) label!: string | null;
  @Field(() => [String], { nullable: true, description: 'SELECT only' }) options!: string[] | null;
}

@ObjectType('Template', { implements: NodeInterface })
export class TemplateType {
  @Field(() => ID) id!: string;
  @Field(() => String, { description: 'the edna template id' }) externalId!: string;
  @Field(() => ChannelEnum) channel!: E.Channel;
  @Field(() => String) name!: string;
  @Field(() => String, { nullable: true }) language!: string | null;
  @Field(() => String, { nullable: true }) category!: string | null;
  @Field(() => String, { nullable: true }) header!: string | null;
  @Field(() => String) body!: string;
  @Field(() => String, { nullable: true }) footer!: string | null;
  @Field(() => Boolean) textOnly!: boolean;
}

export const SyncTemplatesPayload = payloadType('SyncTemplatesPayload', { templates: { type: () => [TemplateType], description: 'the usable templates after the sync' } });
