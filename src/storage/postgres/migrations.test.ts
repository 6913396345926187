import assert from 'node:assert/strict';
import { it } from 'node:test';
import { SQLITE_MIGRATIONS } from '../sqlite/migrations.js';
import { POSTGRES_MIGRATIONS } from './migrations.js';

const steps = (list: typeof SQLITE_MIGRATIONS) => list.map((m) => ({ version: m.version, name: m.name }));

it('when a migration is added to one dialect, then the other has the same version and name', () => {
  assert.deepEqual(steps(POSTGRES_MIGRATIONS), steps(SQLITE_MIGRATIONS));
});

it('when migrations are listed, then versions run 1, 2, 3… without gaps', () => {
  assert.deepEqual(
    POSTGRES_MIGRATIONS.map((m) => m.version),
    POSTGRES_MIGRATIONS.map((_, i) => i + 1),
  );
});
