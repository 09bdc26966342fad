import type { ConnectorDefinition, ConnectorInput } from '../model/connector.ts';
import { loadConnectors } from '../model/load.ts';
import { github } from './github.ts';
import { gmail } from './gmail.ts';
import { googlecalendar } from './googlecalendar.ts';
import { notion } from './notion.ts';
import { acmecrm, ticketdesk } from './sandbox-services.ts';
import { sanitymcp } from './sanitymcp.ts';
import { slack } from './slack.ts';

/** The shipped definitions, unvalidated (for tests and tooling). */
export function builtinConnectorInputs(): ConnectorInput[] {
  return [gmail, googlecalendar, slack, github, notion, sanitymcp, acmecrm, ticketdesk];
}

/**
 * The shipped connectors, validated. Sandbox-only services (acmecrm, ticketdesk) are left
 * out unless asked for. Each call validates afresh: build once in the composition root.
 */
export function builtinConnectors(options: { includeSandboxOnly?: boolean } = {}): ConnectorDefinition[] {
  const all = loadConnectors(builtinConnectorInputs());
  return options.includeSandboxOnly === true ? all : all.filter((c) => c.sandbox_only !== true);
}
