/** Log redaction: secret keys never reach a log line, at any of the first four levels. */
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { describe, it } from 'node:test';
import { createLogger, redactSecrets } from '../../src/ops/log.ts';

describe('log redaction', () => {
  it('censors secret keys in nested objects and arrays without touching the logged object', () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk, _enc, cb) {
        lines.push(String(chunk));
        cb();
      },
    });
    const logger = createLogger('info', sink);
    const logged = {
      token: 'S1',
      account: { refresh_token: 'S2', list: [{ password: 'S3' }] },
      headers: { authorization: 'Bearer S4', 'x-api-key': 'S5', accept: 'json' },
      nested: { a: { client_secret: 'S6' } },
      count: 3,
    };
    const before = JSON.stringify(logged);
    logger.info(logged, 'a line');
    const line = lines.join('');
    for (const secret of ['S1', 'S2', 'S3', 'S4', 'S5', 'S6'])
      assert.ok(!line.includes(secret), `${secret} in ${line}`);
    assert.match(line, /"accept":"json"/);
    assert.match(line, /"count":3/);
    assert.equal(JSON.stringify(logged), before, 'the caller object is unchanged');
    const plain = { a: 1, b: { c: 'x' } };
    assert.equal(redactSecrets(plain), plain, 'nothing secret: no copy');
  });
});
