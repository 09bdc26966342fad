/** google.api.http path templates: grammar, matching, ordering, OpenAPI rendering. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  compareSpecificity,
  matchTemplate,
  openapiPath,
  parseTemplate,
  TemplateSyntaxError,
} from '../../src/transports/compat/path-template.ts';

const values = (template: string, path: string) => {
  const m = matchTemplate(parseTemplate(template), path);
  return m === undefined ? undefined : Object.fromEntries(m.values);
};

describe('path templates', () => {
  it('parses literals, variables, sub-templates and verbs', () => {
    const t = parseTemplate('/v1/{name=projects/*/files/**}:download');
    assert.equal(t.verb, 'download');
    assert.deepEqual(
      t.segments.map((s) => s.kind),
      ['literal', 'literal', 'one', 'literal', 'rest'],
    );
    assert.deepEqual(t.variables, [{ fieldPath: ['name'], start: 1, count: -1 }]);
    assert.equal(parseTemplate('/api/v1/tools:set_default').verb, 'set_default');
    assert.equal(parseTemplate('/api/v1/connected_accounts/{id}:disconnect').verb, 'disconnect');
    assert.deepEqual(parseTemplate('/a/{b.c}').variables[0]?.fieldPath, ['b', 'c']);
  });

  it('rejects templates outside the grammar', () => {
    for (const bad of ['api/v1', '/a/{b', '/a/b}', '/a/{1x}', '/a/**/b', '/a//b', '/a/{b={c}}', '/a:']) {
      assert.throws(() => parseTemplate(bad), TemplateSyntaxError, bad);
    }
  });

  it('matches and decodes variables', () => {
    assert.deepEqual(values('/api/v1/tools/{id}', '/api/v1/tools/t%201'), { id: 't 1' });
    assert.deepEqual(values('/api/v1/tools/{id}', '/api/v1/tools/a%2Fb'), { id: 'a/b' });
    assert.equal(values('/api/v1/tools/{id}', '/api/v1/tools/'), undefined);
    assert.equal(values('/api/v1/tools/{id}', '/api/v1/tools/a/b'), undefined);
    assert.deepEqual(values('/v1/{name=files/**}', '/v1/files/a/b/c'), { name: 'files/a/b/c' });
    assert.deepEqual(values('/v1/{name=files/*}/x', '/v1/files/a/x'), { name: 'files/a' });
    assert.throws(() => values('/api/v1/tools/{id}', '/api/v1/tools/%E0%A4%A'), URIError);
  });

  it('matches custom verbs only with the verb, and keeps colons in plain segments', () => {
    assert.deepEqual(values('/a/{id}:disconnect', '/a/x1:disconnect'), { id: 'x1' });
    assert.equal(values('/a/{id}:disconnect', '/a/x1'), undefined);
    assert.equal(values('/a/{id}:disconnect', '/a/x1:enable'), undefined);
    assert.deepEqual(values('/a/{id}', '/a/x1:enable'), { id: 'x1:enable' });
    assert.deepEqual(values('/api/v1/connected_accounts:delete', '/api/v1/connected_accounts:delete'), {});
    assert.equal(values('/api/v1/connected_accounts', '/api/v1/connected_accounts:delete'), undefined);
    assert.deepEqual(values('/my/{connection_name}:magic-link', '/my/MY_GMAIL:magic-link'), {
      connection_name: 'MY_GMAIL',
    });
  });

  it('orders literal before variable before wildcard, and verbs first', () => {
    const sorted = ['/a/{id}', '/a/{p=**}', '/a/this', '/a/{id}:x']
      .map(parseTemplate)
      .sort(compareSpecificity)
      .map((t) => t.source);
    assert.deepEqual(sorted, ['/a/this', '/a/{id}:x', '/a/{id}', '/a/{p=**}']);
  });

  it('renders OpenAPI paths', () => {
    assert.equal(openapiPath(parseTemplate('/v1/{name=files/**}:download')), '/v1/{name}:download');
    assert.equal(
      openapiPath(parseTemplate('/api/v1/mcp/instances/{instance_id}:get_auth_state')),
      '/api/v1/mcp/instances/{instance_id}:get_auth_state',
    );
  });
});
