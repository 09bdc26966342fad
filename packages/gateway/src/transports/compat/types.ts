/**
 * Public types of the compat transport: the Scalekit-compatible API served once per RPC as gRPC
 * (connect-node) and as REST JSON (transcoded from the `google.api.http` annotations).
 */
import type {
  DescMethod,
  DescMethodUnary,
  DescService,
  MessageInitShape,
  MessageShape,
} from '@bufbuild/protobuf';

/** Who is calling: resolved from the bearer token by `authenticate`. */
export interface Principal {
  environmentId: string;
  clientId: string;
}

/** Per-call context given to every handler. */
export interface RpcContext {
  principal: Principal;
  /** Echoed as `x-request-id` and carried in ErrorInfo.request_info. */
  requestId: string;
  /** Aborted on client disconnect or deadline (`grpc-timeout`). */
  signal: AbortSignal;
  protocol: 'grpc' | 'rest';
  /** Full RPC name, e.g. `scalekit.v1.tools.ToolService/ExecuteTool`. */
  rpc: string;
}

/** One RPC's implementation: the decoded request in, a response message (or its init shape) out. */
export type Handler<M extends DescMethodUnary> = (
  request: MessageShape<M['input']>,
  ctx: RpcContext,
) => Promise<MessageInitShape<M['output']>>;

/** Handlers of one service keyed by the generated method local name (e.g. `listAppConnections`). */
export type ServiceHandlers<S extends DescService> = {
  [K in keyof S['method']]?: S['method'][K] extends DescMethodUnary ? Handler<S['method'][K]> : never;
};

/** A service with (some of) its handlers; RPCs without a handler answer UNIMPLEMENTED / 501. */
export interface ServiceRegistration {
  service: DescService;
  // biome-ignore lint/suspicious/noExplicitAny: erased per-method types; `defineService` checks them.
  handlers: Partial<Record<string, Handler<any>>>;
}

/** Type-checks `handlers` against `service` (a plain array literal would erase the method types). */
export function defineService<S extends DescService>(
  service: S,
  handlers: ServiceHandlers<S>,
): ServiceRegistration {
  return { service, handlers: handlers as ServiceRegistration['handlers'] };
}

/** What a REST API documents that the google.api.http annotations cannot say. */
export interface RestConventions {
  /** HTTP status of a successful call (default 200), e.g. 201 for creations. */
  successStatus?(method: DescMethod): number;
  /** Other spellings of top-level body fields, per RPC (`Service/Method` → alias → field name). */
  bodyAliases?: Record<string, Record<string, string>>;
}

export interface CompatTransportOptions {
  services: ServiceRegistration[];
  /** Resolves the `authorization` header; throws LatchkeyError('unauthenticated') when missing/invalid. */
  authenticate(authorization: string | undefined): Promise<Principal>;
  /** Limit for a REST body and for one gRPC message. Default 1 MiB. */
  maxBodyBytes?: number;
  /**
   * REST JSON bodies with keys that are not fields: 'reject' (default) answers 400 naming the
   * field; 'ignore' drops them as grpc-gateway does (some clients written against Scalekit send
   * extra keys, e.g. `redirect_url` to magic_link).
   */
  unknownJsonFields?: 'reject' | 'ignore';
  /** REST conventions beyond the annotations (HTTP success status, documented body spellings). */
  rest?: RestConventions;
  /** Called with every error that is not a deliberate LatchkeyError (and with 'internal' ones). */
  onError?(err: unknown, info: { rpc: string; requestId: string }): void;
  /** Request id generator; an incoming well-formed `x-request-id` header takes precedence. */
  requestId?(): string;
}
