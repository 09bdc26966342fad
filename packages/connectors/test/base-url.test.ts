import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  BaseUrlError,
  builtinConnectors,
  type ConnectorInput,
  loadConnector,
  resolveBaseUrl,
} from '../src/index.ts';

const withBase = (base_url: string, variables: unknown[]): ReturnType<typeof loadConnector> => {
  const github = builtinConnectors().find((c) => c.slug === 'github')!;
  return loadConnector({ ...github, api: { base_url, variables } } as ConnectorInput);
};

describe('resolveBaseUrl', () => {
  it('returns fixed base URLs as declared', () => {
    const all = builtinConnectors();
    const base = (slug: string): string => resolveBaseUrl(all.find((c) => c.slug === slug)!);
    assert.equal(base('gmail'), 'https://gmail.googleapis.com');
    assert.equal(base('googlecalendar'), 'https://www.googleapis.com/calendar/v3');
    assert.equal(base('slack'), 'https://slack.com/api');
    assert.equal(base('github'), 'https://api.github.com');
    assert.equal(base('notion'), 'https://api.notion.com');
  });

  it('fills host, segment and url variables', () => {
    const host = withBase('https://{{domain}}/api/v2', [
      { name: 'domain', kind: 'host', source: 'connection', label: 'Domain' },
    ]);
    assert.equal(resolveBaseUrl(host, { domain: 'acme.zendesk.com' }), 'https://acme.zendesk.com/api/v2');
    assert.equal(resolveBaseUrl(host, { domain: 'localhost:8443' }), 'https://localhost:8443/api/v2');
    const segment = withBase('https://api.example.com/{{tenant}}/v1', [
      { name: 'tenant', kind: 'segment', source: 'account', label: 'Tenant' },
    ]);
    assert.equal(resolveBaseUrl(segment, { tenant: 'a b/c' }), 'https://api.example.com/a%20b%2Fc/v1');
    const url = withBase('{{instance_url}}/services/data/v60.0', [
      { name: 'instance_url', kind: 'url', source: 'account', label: 'Instance' },
    ]);
    assert.equal(
      resolveBaseUrl(url, { instance_url: 'https://acme.my.salesforce.com' }),
      'https://acme.my.salesforce.com/services/data/v60.0',
    );
  });

  it('refuses unresolved and unsafe values', () => {
    const host = withBase('https://{{domain}}/api', [
      { name: 'domain', kind: 'host', source: 'connection', label: 'Domain' },
    ]);
    for (const domain of [
      undefined,
      '',
      'evil.com/path',
      'user:pw@evil.com',
      'evil.com?x=',
      'evil.com#',
      'evil.com\\@good.com',
      ' evil.com',
      'evil.com\r\n',
    ]) {
      assert.throws(() => resolveBaseUrl(host, { domain }), BaseUrlError, String(domain));
    }
    const segment = withBase('https://api.example.com/{{tenant}}', [
      { name: 'tenant', kind: 'segment', source: 'account', label: 'T' },
    ]);
    assert.throws(() => resolveBaseUrl(segment, { tenant: '..' }), BaseUrlError);
    const url = withBase('{{instance_url}}/x', [
      { name: 'instance_url', kind: 'url', source: 'account', label: 'I' },
    ]);
    for (const instance_url of [
      'javascript:alert(1)',
      'file:///etc/passwd',
      'https://u:p@h.com',
      'https://h.com/?q',
      'ftp://h.com',
    ]) {
      assert.throws(() => resolveBaseUrl(url, { instance_url }), BaseUrlError, instance_url);
    }
  });

  it('mcp connectors take their server URL from configuration', () => {
    const sanity = builtinConnectors().find((c) => c.slug === 'sanitymcp')!;
    assert.throws(() => resolveBaseUrl(sanity), /comes from configuration/);
    assert.equal(
      resolveBaseUrl(sanity, { server_url: 'http://127.0.0.1:4000/mcp' }),
      'http://127.0.0.1:4000/mcp',
    );
    assert.throws(() => resolveBaseUrl(sanity, { server_url: 'http://u:p@127.0.0.1/mcp' }), BaseUrlError);
  });
});
