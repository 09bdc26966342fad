/**
 * @latchkey/connectors: the connector catalog as typed, validated data plus pure functions.
 * No I/O: the gateway supplies a ToolRuntime to run tools.
 */

export { BaseUrlError, checkHttpUrl, resolveBaseUrlTemplate, templateVariables } from './base-url.ts';
export { builtinConnectorInputs, builtinConnectors } from './catalog/index.ts';
export {
  isProviderError,
  isToolInputError,
  ProviderError,
  type ProviderErrorInit,
  ToolInputError,
} from './errors.ts';
export type {
  AuthScheme,
  CredentialField,
  OAuth2Scheme,
  Revocation,
  TestCall,
  TokenResponseShape,
} from './model/auth.ts';
export type { ErrorShape } from './model/common.ts';
export {
  type BaseUrlVariableDef,
  type ConnectorDefinition,
  type ConnectorInput,
  connectorSchema,
} from './model/connector.ts';
export {
  ConnectorValidationError,
  type DefinitionIssue,
  loadConnector,
  loadConnectors,
} from './model/load.ts';
export type {
  HttpExecutor,
  OperationRef,
  ResponseShape,
  ToolAnnotations,
  ToolDefinition,
  ValueSource,
} from './model/tool.ts';
export {
  authorizationParams,
  buildRevocationRequest,
  extractTokenSet,
  type RevocationInput,
  type RevocationRequest,
  TokenResponseError,
  type TokenSet,
} from './oauth.ts';
export { encodePathValue, expandPath } from './path-template.ts';
export {
  findConnector,
  findTool,
  listToolSchemas,
  resolveBaseUrl,
  resolveToolName,
  type ToolDescriptor,
  type ToolMatch,
  type ToolSchemaEntry,
  toolDescriptor,
} from './registry.ts';
export { DEFAULT_ERROR_SHAPE, detectProviderError } from './runtime/provider-errors.ts';
export { runTool } from './runtime/run-tool.ts';
export type { ToolContext, ToolFunction, ToolRequest, ToolResponse, ToolRuntime } from './runtime/types.ts';
export { type SandboxTarget, sandboxConnector } from './sandbox.ts';
