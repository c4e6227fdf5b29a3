import { Arg, Authorized, Ctx, FieldResolver, ID, Int, Mutation, Query, Resolver, Root } from 'type-graphql';
import { decodeCursor } from '../../db/cursor.js';
import { canManageWebhookEndpoint, webhookEndpointScope } from '../../domain/access.js';
import { userError, type UserError } from '../../domain/errors.js';
import { isUuid } from '../../domain/ids.js';
import {
  attemptsOf, createEndpoint, deleteEndpoint, disableEndpoint, enableEndpoint, getDelivery, getEndpoint, listDeliveries, listEndpoints, redeliver,
  type DeliveryWithEvent, type WebhookAttemptRow, type WebhookEndpointRow,
} from '../../webhooks/endpoints.js';
import { WEBHOOK_EVENT_TYPES, eventBody, eventTypeName, type WebhookEventTypeName } from '../../webhooks/eventTypes.js';
import { endpointAdded, endpointRemoved } from '../../webhooks/listeners.js';
import { AgentType } from '../agents/types.js';
import { callerOf } from '../access.js';
import { keysetPage } from '../common/keyset.js';
import { pageOf } from '../common/connection.js';
import type { Context } from '../context.js';
import { toGraphQLError } from '../errors.js';
import {
  CreateWebhookEndpointInput, CreateWebhookEndpointPayload, DeleteWebhookEndpointPayload, RedeliverWebhookEventPayload, WebhookDeliveryConnectionType,
  WebhookDeliveryFilterInput, WebhookEndpointConnectionType, WebhookEndpointPayload, WebhookEndpointType,
} from './types.js';

// R34: outbound webhooks for admins and integrators. An integrator works with the endpoints it
// made, an admin with every one of the stand (src/domain/access.ts); an endpoint the caller may
// not manage is NOT_FOUND, as if it did not exist. The secret is in createWebhookEndpoint's answer only.

const MANAGERS = ['ADMIN', 'INTEGRATOR'] as const;
const DEFAULT_PAGE = 20;

/** http(s) URLs with a host, and nothing else (no file:, no javascript:, no bare words). */
export function checkEndpointUrl(url: string): UserError | null {
  let parsed: URL;
  try {
    parsed = new URL(url.trim());
  } catch {
    return userError('INVALID_INPUT', 'The URL is not a URL; give the full address, e.g. https://example.com/herald/events.', ['input', 'url']);
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
    return userError('INVALID_INPUT', `Webhooks are POSTed over http or https only, not ${parsed.protocol.replace(/:$/, '')}.`, ['input', 'url']);
  }
  if (!parsed.hostname) return userError('INVALID_INPUT', 'The URL needs a host.', ['input', 'url']);
  return null;
}

function toEndpoint(row: WebhookEndpointRow) {
  return {
    ...row,
    events: row.events.map(eventTypeName).filter((e): e is WebhookEventTypeName => e !== null),
  };
}

function toDelivery({ delivery, event }: Omit<DeliveryWithEvent, 'cursor'>, attempts: WebhookAttemptRow[]) {
  return {
    ...delivery,
    nextAttemptAt: delivery.state === 'PENDING' ? delivery.nextAttemptAt : null,
    attempts,
    event: { id: event.id, type: eventTypeName(event.type), wireType: event.type, createdAt: event.createdAt, payload: JSON.parse(eventBody(event)) as unknown },
  };
}

@Resolver(() => WebhookEndpointType)
export class WebhookResolver {
  /** The endpoint when the caller may manage it, else null. */
  private async managed(ctx: Context, id: string): Promise<WebhookEndpointRow | null> {
    const endpoint = isUuid(id) ? await getEndpoint(ctx.db, id) : null;
    return endpoint && canManageWebhookEndpoint(callerOf(ctx), endpoint) ? endpoint : null;
  }

  @Authorized(...MANAGERS)
  @Mutation(() => CreateWebhookEndpointPayload, { description: 'R34: ADMIN or INTEGRATOR; the signing secret is in this answer only' })
  async createWebhookEndpoint(@Ctx() ctx: Context, @Arg('input', () => CreateWebhookEndpointInput) input: CreateWebhookEndpointInput) {
    const errors: UserError[] = [];
    const badUrl = checkEndpointUrl(input.url);
    if (badUrl) errors.push(badUrl);
    if (input.events.length === 0) errors.push(userError('INVALID_INPUT', 'Name at least one event type the endpoint wants.', ['input', 'events']));
    if (errors.length > 0) return { endpoint: null, secret: null, userErrors: errors };
    const caller = callerOf(ctx);
    const { endpoint, secret } = await createEndpoint(ctx.db, {
      standId: caller.standId,
      createdById: caller.id,
      url: input.url.trim(),
      description: input.description?.trim() || null,
      events: [...new Set(input.events)].map((e) => WEBHOOK_EVENT_TYPES[e]),
    });
    endpointAdded();
    return { endpoint: toEndpoint(endpoint), secret, userErrors: [] };
  }

  @Authorized(...MANAGERS)
  @Query(() => WebhookEndpointConnectionType, { description: 'R34: an admin sees every endpoint of the stand, an integrator its own; newest first' })
  async webhookEndpoints(
    @Ctx() ctx: Context,
    @Arg('first', () => Int, { nullable: true, defaultValue: DEFAULT_PAGE }) first?: number | null,
    @Arg('after', () => String, { nullable: true }) after?: string | null,
  ) {
    const scope = webhookEndpointScope(callerOf(ctx));
    const rows = scope ? await listEndpoints(ctx.db, scope) : [];
    const page = keysetPage(rows, (r) => r.createdAt, first ?? DEFAULT_PAGE, after);
    return { ...page, edges: page.edges.map((e) => ({ cursor: e.cursor, node: toEndpoint(e.node) })) };
  }

  @Authorized(...MANAGERS)
  @Query(() => WebhookEndpointType, { nullable: true })
  async webhookEndpoint(@Ctx() ctx: Context, @Arg('id', () => ID) id: string) {
    const endpoint = await this.managed(ctx, id);
    return endpoint ? toEndpoint(endpoint) : null;
  }

  @Authorized(...MANAGERS)
  @Mutation(() => WebhookEndpointPayload, { description: 'R34: stops deliveries; those pending wait until it is enabled again' })
  async disableWebhookEndpoint(@Ctx() ctx: Context, @Arg('id', () => ID) id: string) {
    const endpoint = await this.managed(ctx, id);
    if (!endpoint) return { endpoint: null, userErrors: [userError('NOT_FOUND', 'No webhook endpoint has that id.', ['id'])] };
    const row = await disableEndpoint(ctx.db, endpoint.id, 'BY_USER');
    endpointRemoved();
    return { endpoint: toEndpoint(row), userErrors: [] };
  }

  @Authorized(...MANAGERS)
  @Mutation(() => WebhookEndpointPayload, { description: 'R34: also one disabled for failing; its failure clock starts over' })
  async enableWebhookEndpoint(@Ctx() ctx: Context, @Arg('id', () => ID) id: string) {
    const endpoint = await this.managed(ctx, id);
    if (!endpoint) return { endpoint: null, userErrors: [userError('NOT_FOUND', 'No webhook endpoint has that id.', ['id'])] };
    const row = await enableEndpoint(ctx.db, endpoint.id);
    endpointAdded();
    return { endpoint: toEndpoint(row), userErrors: [] };
  }

  @Authorized(...MANAGERS)
  @Mutation(() => DeleteWebhookEndpointPayload, { description: 'R34: the endpoint and its deliveries' })
  async deleteWebhookEndpoint(@Ctx() ctx: Context, @Arg('id', () => ID) id: string) {
    const endpoint = await this.managed(ctx, id);
    if (!endpoint) return { deletedId: null, userErrors: [userError('NOT_FOUND', 'No webhook endpoint has that id.', ['id'])] };
    await deleteEndpoint(ctx.db, endpoint.id);
    endpointRemoved();
    return { deletedId: endpoint.id, userErrors: [] };
  }

  @Authorized(...MANAGERS)
  @Query(() => WebhookDeliveryConnectionType, { description: 'R34: what was sent to an endpoint, newest first, with every attempt and answer' })
  async webhookDeliveries(
    @Ctx() ctx: Context,
    @Arg('endpointId', () => ID) endpointId: string,
    @Arg('first', () => Int, { nullable: true, defaultValue: DEFAULT_PAGE }) first?: number | null,
    @Arg('after', () => String, { nullable: true }) after?: string | null,
    @Arg('filter', () => WebhookDeliveryFilterInput, { nullable: true }) filter?: WebhookDeliveryFilterInput | null,
  ) {
    const endpoint = await this.managed(ctx, endpointId);
    if (!endpoint) throw toGraphQLError(userError('NOT_FOUND', 'No webhook endpoint has that id.', ['endpointId']));
    const cursor = after ? decodeCursor(after, isUuid) : null;
    if (after && !cursor) throw toGraphQLError(userError('INVALID_INPUT', 'That cursor is not one this list gave out.', ['after']));
    const page = await listDeliveries(ctx.db, endpoint.id, {
      first: first ?? DEFAULT_PAGE, after: cursor, state: filter?.state ?? null, type: filter?.eventType ? WEBHOOK_EVENT_TYPES[filter.eventType] : null,
    });
    const attempts = await attemptsOf(ctx.db, page.rows.map((r) => r.delivery.id));
    return pageOf(page.rows.map((r) => ({ cursor: r.cursor, node: toDelivery(r, attempts.get(r.delivery.id) ?? []) })), page.hasNextPage, after);
  }

  @Authorized(...MANAGERS)
  @Mutation(() => RedeliverWebhookEventPayload, { description: 'R34: the same event (same id) to the same endpoint again, now, retried for another retry period' })
  async redeliverWebhookEvent(@Ctx() ctx: Context, @Arg('deliveryId', () => ID) deliveryId: string) {
    const found = isUuid(deliveryId) ? await getDelivery(ctx.db, deliveryId) : null;
    if (!found || !canManageWebhookEndpoint(callerOf(ctx), found.endpoint)) {
      return { delivery: null, userErrors: [userError('NOT_FOUND', 'No webhook delivery has that id.', ['deliveryId'])] };
    }
    if (!found.endpoint.enabled) {
      return { delivery: null, userErrors: [userError('INVALID_INPUT', 'The endpoint is disabled; enable it first (enableWebhookEndpoint).', ['deliveryId'])] };
    }
    const delivery = await redeliver(ctx.db, found.delivery.id, ctx.config.webhooks.retryForSeconds);
    const attempts = await attemptsOf(ctx.db, [delivery.id]);
    return { delivery: toDelivery({ delivery, event: found.event }, attempts.get(delivery.id) ?? []), userErrors: [] };
  }

  @FieldResolver(() => AgentType, { nullable: true })
  createdBy(@Root() endpoint: WebhookEndpointRow, @Ctx() ctx: Context) {
    return ctx.loaders.agent.load(endpoint.createdById);
  }
}
