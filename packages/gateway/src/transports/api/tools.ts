/** ToolService over the tools and execution services. */
import type { JsonObject, MessageInitShape } from '@bufbuild/protobuf';
import { invalidArgument } from '../../errors.ts';
import { type ToolSchema, ToolService } from '../../gen/scalekit/v1/tools/tools_pb.js';
import { providerKeyOf } from '../../services/catalog.ts';
import type { Services } from '../../services/index.ts';
import type { ToolEntry } from '../../services/tools.ts';
import { pageOf, pageTokens } from '../../store/pagination.ts';
import { defineService, type ServiceRegistration } from '../compat/index.ts';
import { opt } from './convert.ts';

type ToolMessage = MessageInitShape<typeof ToolSchema>;

const json = (v: unknown): JsonObject => JSON.parse(JSON.stringify(v)) as JsonObject;

export function toolMessage(e: ToolEntry, summary = false): ToolMessage {
  const definition = summary ? { name: e.tool.name } : e.definition;
  return {
    id: `${e.connector.slug}.${e.tool.name}`,
    provider: providerKeyOf(e.connector.slug),
    definition: json(definition),
    metadata: json({
      connector: e.connector.slug,
      kind: e.connector.kind,
      ...(e.tool.aliases?.length ? { aliases: e.tool.aliases } : {}),
      ...(e.tool.operations?.length
        ? { operations: e.tool.operations.map((o) => `${o.method} ${o.path}`) }
        : {}),
    }),
    tags: e.connector.categories,
    isDefault: true,
  };
}

function page<T>(items: T[], pageSize: number, pageToken: string, max = 500) {
  const p = pageOf(pageSize, pageToken, max, 100);
  return {
    items: items.slice(p.offset, p.offset + p.limit),
    total: items.length,
    ...pageTokens(p, items.length),
  };
}

export function toolServices(s: Services): ServiceRegistration[] {
  const { tools, execution } = s;
  return [
    defineService(ToolService, {
      async listTools(req, ctx) {
        const f = req.filter;
        const entries = await tools.list(ctx.principal.environmentId, {
          provider: opt(f?.provider),
          connector: opt(f?.connector),
          toolNames: f?.toolName.filter(Boolean),
          query: opt(f?.query),
          identifier: opt(f?.identifier),
          connectedAccountId: opt(f?.connectedAccountId),
        });
        const p = page(entries, req.pageSize, req.pageToken);
        const summary = f?.summary === true;
        return {
          tools: summary ? [] : p.items.map((e) => toolMessage(e)),
          toolNames: p.items.map((e) => e.tool.name),
          totalSize: p.total,
          nextPageToken: p.nextPageToken,
          prevPageToken: p.prevPageToken,
        };
      },
      async listScopedTools(req, ctx) {
        if (!req.identifier) throw invalidArgument('identifier', 'is required');
        const entries = await tools.listScoped(ctx.principal.environmentId, req.identifier, {
          providers: req.filter?.providers ?? [],
          toolNames: req.filter?.toolNames ?? [],
          connectionNames: req.filter?.connectionNames ?? [],
        });
        const p = page(entries, req.pageSize, req.pageToken);
        return {
          tools: p.items.map((e) => ({
            tool: toolMessage(e),
            identifier: e.account.identifier,
            connectedAccountId: e.account.id,
          })),
          totalSize: p.total,
          nextPageToken: p.nextPageToken,
          prevPageToken: p.prevPageToken,
        };
      },
      async listAvailableTools(req, ctx) {
        if (!req.identifier) throw invalidArgument('identifier', 'is required');
        const entries = await tools.listAvailable(ctx.principal.environmentId, req.identifier);
        const p = page(entries, req.pageSize, req.pageToken);
        return {
          tools: p.items.map((e) => toolMessage(e)),
          totalSize: p.total,
          nextPageToken: p.nextPageToken,
          prevPageToken: p.prevPageToken,
        };
      },
      async executeTool(req, ctx) {
        const { data, executionId } = await execution.execute(ctx.principal, {
          toolName: req.toolName,
          params: (req.params ?? {}) as Record<string, unknown>,
          identifier: opt(req.identifier),
          connectedAccountId: opt(req.connectedAccountId),
          connector: opt(req.connector),
        });
        return { data: json(data), executionId };
      },
    }),
  ];
}
