import { GraphQLScalarType, Kind } from 'graphql';
import { GraphQLJSON } from 'graphql-scalars';
import { registerEnumType } from 'type-graphql';
import * as E from '../domain/enums.js';
import { USER_ERROR_CODES } from '../domain/errors.js';
import { checkDate } from '../domain/input.js';

// The contract names its scalar `DateTime` (ISO-8601 string); type-graphql's own is DateTimeISO.
// A date outside the years Herald can mean (src/domain/input.ts) is refused as bad input.
function parseDate(value: unknown): Date {
  const date = typeof value === 'string' ? new Date(value) : new Date(Number.NaN);
  const problem = checkDate(date);
  if (problem) throw new TypeError(`DateTime needs an ISO-8601 date and time; ${JSON.stringify(value)} ${problem}`);
  return date;
}

export const DateTimeScalar = new GraphQLScalarType<Date | null, string>({
  name: 'DateTime',
  description: 'ISO-8601 date and time',
  serialize(value) {
    const date = value instanceof Date ? value : new Date(String(value));
    if (Number.isNaN(date.getTime())) throw new TypeError(`DateTime cannot represent ${String(value)}`);
    return date.toISOString();
  },
  parseValue: parseDate,
  parseLiteral(ast) {
    if (ast.kind !== Kind.STRING) throw new TypeError('DateTime needs an ISO-8601 string');
    return parseDate(ast.value);
  },
});

export const JSONScalar = GraphQLJSON;

/** A GraphQL enum object from one of the domain's value lists (its names are its values). */
export const asEnum = <T extends string>(values: readonly T[]) => Object.fromEntries(values.map((v) => [v, v])) as { [K in T]: K };

export const ChannelEnum = asEnum(E.CHANNELS);
export const RoleEnum = asEnum(E.ROLES);
export const AgentStatusEnum = asEnum(E.AGENT_STATUSES);
export const ThreadStatusEnum = asEnum(E.THREAD_STATUSES);
export const MessageDirectionEnum = asEnum(E.MESSAGE_DIRECTIONS);
export const MessageStatusEnum = asEnum(E.MESSAGE_STATUSES);
export const DeliveryFailureCodeEnum = asEnum(E.DELIVERY_FAILURE_CODES);
export const DispositionKindEnum = asEnum(E.DISPOSITION_KINDS);
export const TransferTargetKindEnum = asEnum(E.TRANSFER_TARGET_KINDS);
export const TemplateRequirementEnum = asEnum(E.TEMPLATE_REQUIREMENTS);
export const TemplateVariableTypeEnum = asEnum(E.TEMPLATE_VARIABLE_TYPES);
export const TemplatePolicyEnum = asEnum(E.TEMPLATE_POLICIES);
export const ChannelUnavailableReasonEnum = asEnum(E.CHANNEL_UNAVAILABLE_REASONS);
export const SendStateEnum = asEnum(E.SEND_STATES);
export const SendStepStateEnum = asEnum(E.SEND_STEP_STATES);
export const UserErrorCodeEnum = asEnum(USER_ERROR_CODES);

registerEnumType(ChannelEnum, { name: 'Channel' });
registerEnumType(RoleEnum, { name: 'Role' });
registerEnumType(AgentStatusEnum, { name: 'AgentStatus' });
registerEnumType(ThreadStatusEnum, { name: 'ThreadStatus' });
registerEnumType(MessageDirectionEnum, { name: 'MessageDirection' });
registerEnumType(MessageStatusEnum, { name: 'MessageStatus' });
registerEnumType(DeliveryFailureCodeEnum, { name: 'DeliveryFailureCode' });
registerEnumType(DispositionKindEnum, { name: 'DispositionKind' });
registerEnumType(TransferTargetKindEnum, { name: 'TransferTargetKind' });
registerEnumType(TemplateRequirementEnum, { name: 'TemplateRequirement' });
registerEnumType(TemplateVariableTypeEnum, { name: 'TemplateVariableType' });
registerEnumType(TemplatePolicyEnum, { name: 'TemplatePolicy', description: 'When a template is MANDATORY' });
registerEnumType(ChannelUnavailableReasonEnum, { name: 'ChannelUnavailableReason' });
registerEnumType(SendStateEnum, { name: 'SendState' });
registerEnumType(SendStepStateEnum, { name: 'SendStepState' });
registerEnumType(UserErrorCodeEnum, { name: 'UserErrorCode' });
