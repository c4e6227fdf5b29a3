import { checkChannelType, isChannel } from './requests.js';
import { catalogProblem, cloneTemplates, normalizeTemplate, SANDBOX_CHANNELS, type SandboxChannel, type SandboxTemplate } from './templates.js';

// The template catalog per channel: served by GET /api/v1/templates, replaced at run time by tests
// and PUT /sandbox/templates/{channel}, and what template sends (and scenario 0777) are checked against.

export type Catalog = ReturnType<typeof createCatalog>;

export function createCatalog(initial: readonly SandboxTemplate[]) {
  const byChannel = new Map<SandboxChannel, SandboxTemplate[]>(SANDBOX_CHANNELS.map((c) => [c, []]));
  for (const t of cloneTemplates(initial)) byChannel.get(t.channelType)?.push(t);
  const of = (channel: SandboxChannel) => byChannel.get(channel) ?? [];

  return {
    /** Copies of one channel's templates, or every channel's (null); edna's 400 for another channel name. */
    list(channelType: string | null): SandboxTemplate[] {
      const channel = checkChannelType(channelType);
      return channel === null ? SANDBOX_CHANNELS.flatMap((c) => cloneTemplates(of(c))) : cloneTemplates(of(channel));
    },
    set(channel: SandboxChannel, templates: SandboxTemplate[]): void {
      if (!isChannel(channel)) throw new Error(`unknown channel ${String(channel)}`);
      const problem = catalogProblem(templates, channel);
      if (problem) throw new Error(problem);
      byChannel.set(channel, templates.map((t) => normalizeTemplate(t, channel)));
    },
    /** The templates a send may use (not copies: read them, do not change them). */
    approved(channel: SandboxChannel): SandboxTemplate[] {
      return of(channel).filter((t) => t.status === 'APPROVED');
    },
  };
}
