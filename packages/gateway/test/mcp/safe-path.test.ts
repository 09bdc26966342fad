/** safePath: MCP instance URLs and link tokens never reach a log line, however the path is spelled. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { safePath } from '../../src/ops/log.ts';

const TOKEN = `lkm_${'A'.repeat(43)}`;

describe('safePath', () => {
  it('redacts instance URL tokens and link tokens in every spelling', () => {
    assert.equal(safePath(`/mcp/i/${TOKEN}`), '/mcp/i/[redacted]');
    assert.equal(safePath(`/mcp/i/${TOKEN}/extra`), '/mcp/i/[redacted]/extra');
    assert.equal(safePath(`//mcp//i/${TOKEN}`), '/mcp/i/[redacted]');
    assert.equal(safePath(`/MCP/I/${TOKEN}`), '/MCP/I/[redacted]');
    assert.equal(safePath(`/mcp/%69/${TOKEN}`), '/mcp/i/[redacted]');
    assert.equal(safePath(`/mcp/v2/${TOKEN}`), '/mcp/v2/[redacted]');
    assert.equal(safePath('/connect/lkl_abcdefghijklmnop'), '/connect/[redacted]');
    assert.ok(!safePath(`/elsewhere/${TOKEN}`).includes(TOKEN), 'a token anywhere is redacted');
    assert.ok(!safePath(`/x/%6ckm_${'B'.repeat(43)}`).includes('B'.repeat(43)));
    assert.equal(
      safePath('/mcp/v3/servers/1b4e28ba-2fa1-11d2-883f-0016d3cca427'),
      '/mcp/v3/servers/1b4e28ba-2fa1-11d2-883f-0016d3cca427',
    );
    assert.equal(safePath('/api/v1/mcp/configs'), '/api/v1/mcp/configs');
    assert.equal(safePath('/bad/%E0%A4%A'), '/bad/%E0%A4%A', 'malformed escapes are kept as they are');
  });
});
