import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  builtinConnectorInputs,
  builtinConnectors,
  type ConnectorInput,
  ConnectorValidationError,
  findTool,
  loadConnector,
  loadConnectors,
  resolveToolName,
} from '../src/index.ts';

const github = (): ConnectorInput =>
  structuredClone(builtinConnectorInputs().find((c) => c.slug === 'github')!);

/** Asserts that loading fails naming the connector and the field path. */
function assertInvalid(input: unknown, slug: string, path: string, message: RegExp): void {
  assert.throws(
    () => loadConnector(input),
    (e: unknown) => {
      assert.ok(e instanceof ConnectorValidationError, String(e));
      assert.equal(e.slug, slug);
      const issue = e.issues.find((i) => i.path === path);
      assert.ok(issue, `no issue at ${path}; got ${JSON.stringify(e.issues)}`);
      assert.match(issue.message, message);
      assert.ok(e.message.startsWith(`connector "${slug}" is invalid`), e.message);
      assert.ok(e.message.includes(path), e.message);
      return true;
    },
  );
}

describe('shipped definitions', () => {
  it('all validate, including the sandbox-only services', () => {
    const all = builtinConnectors({ includeSandboxOnly: true });
    assert.deepEqual(
      all.map((c) => c.slug),
      ['gmail', 'googlecalendar', 'slack', 'github', 'notion', 'sanitymcp', 'acmecrm', 'ticketdesk'],
    );
    for (const input of builtinConnectorInputs()) assert.equal(loadConnector(input).slug, input.slug);
  });

  it('describe every tool at length for a model to choose well', () => {
    for (const c of builtinConnectors({ includeSandboxOnly: true })) {
      for (const t of c.tools) {
        assert.ok(t.description.length >= (c.sandbox_only ? 40 : 120), `${t.name}: description too short`);
        assert.ok(t.display_name, `${t.name}: display name`);
        const props = t.input_schema['properties'] as Record<string, { description?: string }>;
        for (const [name, p] of Object.entries(props))
          assert.ok(p.description, `${t.name}.${name}: no description`);
      }
    }
  });

  it('leave sandbox-only services out by default', () => {
    const slugs = builtinConnectors().map((c) => c.slug);
    assert.ok(!slugs.includes('acmecrm') && !slugs.includes('ticketdesk'));
    assert.ok(slugs.includes('gmail'));
  });

  it('are JSON-serializable except function executors', () => {
    for (const c of builtinConnectors({ includeSandboxOnly: true })) {
      const copy = JSON.parse(JSON.stringify(c)) as ConnectorInput;
      const hasFunctions = c.tools.some((t) => t.executor.type === 'function');
      if (hasFunctions) {
        assert.throws(() => loadConnector(copy), /executor\.run: must be a function/);
      } else {
        assert.deepEqual(loadConnector(copy), c, c.slug);
      }
    }
  });

  it('resolve aliases to their tools', () => {
    const all = builtinConnectors();
    assert.equal(resolveToolName(all, 'gmail_send_mail'), 'gmail_send_message');
    assert.equal(resolveToolName(all, 'gmail_search_mails'), 'gmail_fetch_mails');
    assert.equal(findTool(all, 'gmail_send_mail')?.alias, 'gmail_send_mail');
    assert.equal(findTool(all, 'slack_send_message')?.connector.slug, 'slack');
    assert.equal(findTool(all, 'slack_send_message', { connector: 'gmail' }), undefined);
    assert.equal(resolveToolName(all, 'nope'), undefined);
  });
});

describe('broken definitions fail naming the connector and the field', () => {
  it('bad slug and missing fields', () => {
    assertInvalid({ ...github(), slug: 'Git Hub' }, 'Git Hub', 'slug', /lowercase/);
    const { display_name: _, ...rest } = github();
    assertInvalid(rest, 'github', 'display_name', /expected string/);
    assertInvalid({}, '(unknown)', 'slug', /expected string/);
  });

  it('unknown fields (typos)', () => {
    const c = github();
    (c.auth as Record<string, unknown>)['token_uri'] = 'https://x';
    assertInvalid(c, 'github', 'auth', /unknown field\(s\) token_uri/);
  });

  it('a path template that could climb', () => {
    const c = github();
    const tool = c.tools[0]!;
    if (tool.executor.type === 'http') tool.executor.path = '/user/../admin';
    assertInvalid(c, 'github', 'tools[0](github_user_get_authenticated).executor.path', /\.\. segments/);
  });

  it('a query in a path template', () => {
    const c = github();
    const tool = c.tools[0]!;
    if (tool.executor.type === 'http') tool.executor.path = '/user?x=1';
    assertInvalid(
      c,
      'github',
      'tools[0](github_user_get_authenticated).executor.path',
      /not allowed in a path/,
    );
  });

  it('a mapping from an input field the schema does not have', () => {
    const c = github();
    const tool = c.tools[1]!;
    if (tool.executor.type === 'http') tool.executor.query = { sort: { from: 'sort_by' } };
    assertInvalid(c, 'github', 'tools[1](github_user_repos_list).executor.query.sort.from', /sort_by/);
  });

  it('a path placeholder with no source', () => {
    const c = github();
    const tool = c.tools[2]!;
    if (tool.executor.type === 'http') tool.executor.path = '/repos/{owner}/{repository}/issues';
    assertInvalid(c, 'github', 'tools[2](github_issue_create).executor.path', /\{repository\}/);
  });

  it('a tool outside the connector namespace, and duplicate names', () => {
    const c = github();
    c.tools[0]!.name = 'user_get';
    assertInvalid(c, 'github', 'tools[0](user_get).name', /must start with github_/);
    const d = github();
    d.tools[1]!.aliases = ['github_issue_create'];
    assertInvalid(d, 'github', 'tools[1](github_user_repos_list).aliases[0]', /already used/);
  });

  it('input schemas clients cannot use', () => {
    const c = github();
    c.tools[0]!.input_schema = { type: 'array' };
    assertInvalid(
      c,
      'github',
      'tools[0](github_user_get_authenticated).input_schema.type',
      /root type must be "object"/,
    );
    const d = github();
    d.tools[0]!.input_schema = { type: 'object', properties: { x: { $ref: 'https://example.com/s.json' } } };
    assertInvalid(
      d,
      'github',
      'tools[0](github_user_get_authenticated).input_schema.properties.x.$ref',
      /local reference/,
    );
    const e = github();
    e.tools[0]!.input_schema = { type: 'object', properties: {}, required: ['ghost'] };
    assertInvalid(e, 'github', 'tools[0](github_user_get_authenticated).input_schema.required[0]', /ghost/);
  });

  it('OAuth settings', () => {
    const c = github();
    if (c.auth.type === 'oauth2') c.auth.scopes.default = ['repo', 'admin:everything'];
    assertInvalid(c, 'github', 'auth.scopes.default[1]', /not in scopes\.available/);
    const d = github();
    if (d.auth.type === 'oauth2') d.auth.token_url = 'ftp://github.com/token';
    assertInvalid(d, 'github', 'auth.token_url', /http or https/);
    const e = github();
    if (e.auth.type === 'oauth2' && e.auth.revocation.type === 'http')
      e.auth.revocation.url = 'https://{{secret}}.example.com/x';
    assertInvalid(e, 'github', 'auth.revocation.url', /may use only \{\{client_id\}\}/);
    const f = github();
    if (f.auth.type === 'oauth2') f.auth.client_auth = 'private_key_jwt' as 'client_secret_basic';
    assertInvalid(f, 'github', 'auth.client_auth', /client_secret_basic/);
  });

  it('base URL templates with undeclared or unsafe parts', () => {
    assertInvalid(
      { ...github(), api: { base_url: 'https://{{domain}}/api' } },
      'github',
      'api.base_url',
      /undeclared variable domain/,
    );
    assertInvalid(
      { ...github(), api: { base_url: 'https://user:pw@api.example.com' } },
      'github',
      'api.base_url',
      /credentials/,
    );
    const ok = loadConnector({
      ...github(),
      api: {
        base_url: 'https://{{domain}}/api',
        variables: [{ name: 'domain', kind: 'host', source: 'connection', label: 'Domain' }],
      },
    });
    assert.equal(ok.api?.base_url, 'https://{{domain}}/api');
  });

  it('kind and executor mismatches', () => {
    const { api: _, ...noApi } = github();
    assertInvalid(noApi, 'github', 'api', /required for kind rest/);
    const c = github();
    c.tools[0]!.executor = { type: 'mcp', upstream_name: 'x' };
    assertInvalid(c, 'github', 'tools[0](github_user_get_authenticated).executor.type', /http or function/);
    assertInvalid(
      { ...github(), auth: { type: 'mcp_oauth2', registration: 'dynamic' } },
      'github',
      'auth.type',
      /kind mcp only/,
    );
  });

  it('credential forms', () => {
    const apikey = structuredClone(builtinConnectorInputs().find((c) => c.slug === 'acmecrm')!);
    if (apikey.auth.type === 'api_key') apikey.auth.field = 'token';
    assertInvalid(apikey, 'acmecrm', 'auth.field', /names no credential field/);
    const basic = structuredClone(builtinConnectorInputs().find((c) => c.slug === 'ticketdesk')!);
    if (basic.auth.type === 'basic') basic.auth.fields[0]!.pattern = '([';
    assertInvalid(basic, 'ticketdesk', 'auth.fields[0].pattern', /regular expression/);
  });

  it('tool names across connectors', () => {
    const a = github();
    const b = { ...github(), slug: 'github2' };
    b.tools = [];
    assert.equal(loadConnectors([a, b]).length, 2);
    assert.throws(() => loadConnectors([a, github()]), /slug: is used twice/);
  });
});
