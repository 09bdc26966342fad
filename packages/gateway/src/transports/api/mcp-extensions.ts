/**
 * REST endpoints Latchkey adds to McpService (not in the proto files):
 *   POST /api/v1/mcp/instances/{instance_id}:rotate_url   a new URL; the old one answers 404 at once
 *   POST /api/v1/mcp/instances/{instance_id}:revoke_url   the URL answers 404 at once; the instance
 *                                                          stays (EnsureMcpInstance gives a new URL)
 * Both answer `{instance}` as GetMcpInstance does (snake_case JSON). Same authentication and error
 * JSON as the compatible API. Mounted before the compat REST app, which would answer 405.
 */
import { create, toJson } from '@bufbuild/protobuf';
import type { Context, Hono } from 'hono';
import { McpInstanceSchema } from '../../gen/scalekit/v1/mcp/mcp_pb.js';
import type { AppEnv } from '../../server/app.ts';
import type { Services } from '../../services/index.ts';
import { toRestError, toRpcStatus } from '../compat/status.ts';
import { instanceMessage } from './mcp.ts';

const ACTIONS = { ':rotate_url': 'rotateUrl', ':revoke_url': 'revokeUrl' } as const;

export function mountMcpApiExtensions(
  app: Hono<AppEnv>,
  services: Services,
  report: (err: unknown) => void,
): void {
  app.post('/api/v1/mcp/instances/:ref', async (c: Context<AppEnv>, next) => {
    const ref = c.req.param('ref') ?? '';
    const suffix = Object.keys(ACTIONS).find((s) => ref.endsWith(s)) as keyof typeof ACTIONS | undefined;
    if (!suffix) return next();
    try {
      const principal = await services.apiAccess.authenticate(c.req.header('authorization'));
      const id = ref.slice(0, -suffix.length);
      const instance = await services.mcp.instances[ACTIONS[suffix]](principal.environmentId, id);
      const message = create(McpInstanceSchema, instanceMessage(instance));
      return c.json({
        instance: toJson(McpInstanceSchema, message, { useProtoFieldName: true, alwaysEmitImplicit: true }),
      });
    } catch (e) {
      const { httpStatus, body } = toRestError(toRpcStatus(e, c.get('requestId'), report));
      return c.json(body, httpStatus as 400);
    }
  });
}
