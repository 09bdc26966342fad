/** Compatibility: the Mastra Gmail agent program runs unchanged against latchkey dev. */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { runProgram, startDev } from './harness.ts';

describe('compat: Mastra Gmail agent', () => {
  it('authorizes, lists Gmail tools, and an Agent calls gmail_fetch_mails through Scalekit-style executeTool', async (t) => {
    const dev = await startDev(t, { modelScript: join(import.meta.dirname, 'scripts/mastra-gmail.json') });
    const run = await runProgram('mastra-gmail-agent.ts', dev);
    assert.equal(run.code, 0, `${run.stdout}\n${run.stderr}`);
    assert.match(run.stdout, /Authorize Gmail: http:\/\/127\.0\.0\.1:\d+\/connect\/lkl_/);
    assert.match(
      run.stdout,
      /Loaded 4 Gmail tools: gmail_fetch_mails, gmail_get_message_by_id, gmail_list_labels, gmail_send_message/,
    );
    // The scripted model quotes the tool result: the sandbox user's seeded mail.
    const answer = run.stdout.slice(run.stdout.indexOf('Agent: '));
    assert.match(answer, /^Agent: Your latest emails: \{"messages":\[/);
    assert.match(
      answer,
      /"name":"Subject","value":"Quarterly planning"/,
      'seeded mail came back through the tool',
    );
  });
});
