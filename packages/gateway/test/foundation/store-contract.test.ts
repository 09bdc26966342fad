/** The same cases on both dialects: identical results and identical typed errors. */
import assert from 'node:assert/strict';
import type { TestContext } from 'node:test';
import { describe, it } from 'node:test';
import { newId } from '../../src/crypto/secrets.ts';
import { LatchkeyError } from '../../src/errors.ts';
import { ConflictError, NotFoundError } from '../../src/store/errors.ts';
import { migrationNames } from '../../src/store/migrations/index.ts';
import { apiClientsRepo } from '../../src/store/repos/api-clients.ts';
import { environmentsRepo } from '../../src/store/repos/environments.ts';
import { openStore, type Store } from '../../src/store/store.ts';
import { DIALECTS, type DialectName, setupConfig } from '../helpers/env.ts';

async function withStore(t: TestContext, dialect: DialectName, fn: (store: Store) => Promise<void>) {
  const setup = await setupConfig(t, dialect);
  if (!setup) return;
  const store = await openStore({ databaseUrl: setup.config.databaseUrl, dataDir: setup.config.dataDir });
  try {
    await fn(store);
  } finally {
    await store.close();
    await setup.cleanup();
  }
}

for (const dialect of DIALECTS) {
  describe(`store contract (${dialect})`, () => {
    it('applies every migration once; a second run applies nothing', (t) =>
      withStore(t, dialect, async (store) => {
        assert.deepEqual(await store.pendingMigrations(), migrationNames());
        assert.deepEqual(await store.migrate(), migrationNames());
        assert.deepEqual(await store.migrate(), []);
        assert.deepEqual(await store.pendingMigrations(), []);
      }));

    it('a unique-key violation is the same typed conflict error', (t) =>
      withStore(t, dialect, async (store) => {
        await store.migrate();
        const envs = environmentsRepo(store.db);
        const created = await envs.create('prod', 1000);
        assert.equal(created.name, 'prod');
        await assert.rejects(
          () => envs.create('prod', 2000),
          (e: unknown) => {
            assert.ok(e instanceof ConflictError);
            assert.ok(e instanceof LatchkeyError);
            assert.equal(e.code, 'already_exists');
            assert.equal(e.message, 'environment "prod" already exists');
            return true;
          },
        );
        assert.equal((await envs.list()).length, 1, 'nothing else stored');
      }));

    it('a missing row is the same typed not-found error', (t) =>
      withStore(t, dialect, async (store) => {
        await store.migrate();
        await assert.rejects(
          () => environmentsRepo(store.db).getByName('nope'),
          (e: unknown) =>
            e instanceof NotFoundError &&
            e.code === 'not_found' &&
            e.message === 'environment "nope" not found',
        );
        await assert.rejects(() => apiClientsRepo(store.db).revoke('lkc_missing', 1), NotFoundError);
      }));

    it('round-trips numbers, nulls and ordering identically', (t) =>
      withStore(t, dialect, async (store) => {
        await store.migrate();
        const env = await environmentsRepo(store.db).create('e1', 1_700_000_000_123);
        const clients = apiClientsRepo(store.db);
        for (const [i, name] of ['b', 'a', 'c'].entries()) {
          await clients.insert({
            id: newId('lkc'),
            environment_id: env.id,
            name,
            secret_hash: 'h',
            created_at: 1_700_000_000_000 + i,
            revoked_at: null,
            last_used_at: null,
          });
        }
        const listed = await clients.listByEnvironment(env.id);
        assert.deepEqual(
          listed.map((c) => c.name),
          ['b', 'a', 'c'],
        );
        assert.equal(typeof listed[0]!.created_at, 'number');
        assert.equal(listed[0]!.created_at, 1_700_000_000_000);
        assert.equal(listed[0]!.revoked_at, null);
        const revoked = await clients.revoke(listed[1]!.id, 1_800_000_000_000);
        assert.equal(revoked.revoked_at, 1_800_000_000_000);
        assert.deepEqual(Object.keys(revoked).sort(), Object.keys(listed[0]!).sort());
      }));

    it('a foreign key keeps orphans out', (t) =>
      withStore(t, dialect, async (store) => {
        await store.migrate();
        await assert.rejects(() =>
          apiClientsRepo(store.db).insert({
            id: 'x',
            environment_id: 'env_missing',
            name: 'n',
            secret_hash: 'h',
            created_at: 1,
            revoked_at: null,
            last_used_at: null,
          }),
        );
      }));

    it('withLock serializes concurrent critical sections', (t) =>
      withStore(t, dialect, async (store) => {
        await store.migrate();
        let inside = 0;
        let maxInside = 0;
        await Promise.all(
          Array.from({ length: 6 }, () =>
            store.withLock('test-lock', async (trx) => {
              inside++;
              maxInside = Math.max(maxInside, inside);
              await environmentsRepo(trx).list();
              await new Promise((r) => setTimeout(r, 5));
              inside--;
            }),
          ),
        );
        assert.equal(maxInside, 1);
      }));
  });
}
