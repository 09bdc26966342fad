/**
 * What both protocol adapters share: handler lookup by method, authentication, request ids,
 * limits and error reporting. Built once by createCompatTransport.
 */
import { randomUUID } from 'node:crypto';
import type { DescMethod, DescService } from '@bufbuild/protobuf';
import { type ErrorCode, LatchkeyError } from '../../errors.ts';
import type { CompatTransportOptions, Handler, Principal } from './types.ts';

export const DEFAULT_MAX_BODY_BYTES = 1024 * 1024;

export interface Runtime {
  services: DescService[];
  // biome-ignore lint/suspicious/noExplicitAny: handlers are checked per service by defineService.
  handlerFor(method: DescMethod): Handler<any> | undefined;
  authenticate(authorization: string | undefined): Promise<Principal>;
  maxBodyBytes: number;
  rejectUnknownJsonFields: boolean;
  /** HTTP status of a REST success for this method. */
  successStatus(method: DescMethod): number;
  /** Alias → field name for the top-level body keys of this method. */
  bodyAliases(method: DescMethod): Record<string, string> | undefined;
  /** A well-formed incoming `x-request-id` is kept (log correlation), otherwise a new id. */
  requestId(incoming: string | null | undefined): string;
  /** Reports an unexpected error; never throws. */
  report(err: unknown, info: { rpc: string; requestId: string }): void;
}

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

export function createRuntime(opts: CompatTransportOptions): Runtime {
  // biome-ignore lint/suspicious/noExplicitAny: see Runtime.handlerFor.
  const handlers = new Map<DescMethod, Handler<any>>();
  const services: DescService[] = [];
  for (const { service, handlers: impl } of opts.services) {
    if (services.some((s) => s.typeName === service.typeName)) {
      throw new Error(`service ${service.typeName} registered twice`);
    }
    services.push(service);
    for (const [name, fn] of Object.entries(impl)) {
      if (fn === undefined) continue;
      const method = service.methods.find((m) => m.localName === name);
      if (method === undefined) throw new Error(`${service.typeName} has no method "${name}"`);
      if (method.methodKind !== 'unary') throw new Error(`${service.typeName}.${method.name} is not unary`);
      handlers.set(method, fn);
    }
  }
  const maxBodyBytes = opts.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  if (!Number.isInteger(maxBodyBytes) || maxBodyBytes <= 0)
    throw new Error('maxBodyBytes must be a positive integer');
  const newId = opts.requestId ?? randomUUID;
  return {
    services,
    handlerFor: (method) => handlers.get(method),
    authenticate: (authorization) => opts.authenticate(authorization),
    maxBodyBytes,
    rejectUnknownJsonFields: (opts.unknownJsonFields ?? 'reject') === 'reject',
    successStatus: (method) => opts.rest?.successStatus?.(method) ?? 200,
    bodyAliases: (method) => opts.rest?.bodyAliases?.[rpcName(method)],
    requestId: (incoming) => (incoming && REQUEST_ID.test(incoming) ? incoming : newId()),
    report(err, info) {
      try {
        opts.onError?.(err, info);
      } catch {
        // A failing logger must not turn a handled error into a crash.
      }
    },
  };
}

/**
 * A LatchkeyError raised by the transport itself, with an HTTP status that the gRPC code alone
 * would not give (413, 415, 405). gRPC callers see only the code.
 */
export class TransportError extends LatchkeyError {
  readonly httpStatus: number;
  constructor(httpStatus: number, code: ErrorCode, message: string) {
    super(code, message);
    this.httpStatus = httpStatus;
  }
}

export const rpcName = (method: DescMethod): string => `${method.parent.typeName}/${method.name}`;
