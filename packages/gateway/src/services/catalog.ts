/**
 * The connector catalog a gateway offers: the shipped definitions (or their sandbox variants in
 * `latchkey dev` and tests, chosen by configuration), plus the deployment's platform OAuth apps
 * (the "managed credentials" a connection may use instead of its own).
 */
import type { ConnectorDefinition } from '@latchkey/connectors';
import { invalidArgument } from '../errors.ts';

export interface PlatformCredentials {
  clientId: string;
  clientSecret: string;
}

export interface CatalogOptions {
  connectors: ConnectorDefinition[];
  platformCredentials?: Record<string, PlatformCredentials> | undefined;
}

/** The provider key Scalekit reports for a connector (`GMAIL` for `gmail`). */
export const providerKeyOf = (slug: string): string => slug.toUpperCase();

export function createCatalog(opts: CatalogOptions) {
  const bySlug = new Map(opts.connectors.map((c) => [c.slug, c]));
  const platform = new Map(Object.entries(opts.platformCredentials ?? {}));
  return {
    list: (): ConnectorDefinition[] => [...bySlug.values()],
    find: (slug: string): ConnectorDefinition | undefined =>
      bySlug.get(slug) ?? bySlug.get(slug.toLowerCase()),
    /** The connector, or invalid_argument naming `field` and listing the known slugs. */
    require(slug: string, field: string): ConnectorDefinition {
      const found = this.find(slug);
      if (!found) {
        throw invalidArgument(
          field,
          `unknown connector "${slug}"; known: ${[...bySlug.keys()].sort().join(', ')}`,
        );
      }
      return found;
    },
    platformCredentials: (slug: string): PlatformCredentials | undefined => platform.get(slug),
  };
}

export type Catalog = ReturnType<typeof createCatalog>;
