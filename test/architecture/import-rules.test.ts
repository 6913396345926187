import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import { describe, it } from 'node:test';

/**
 * The import rules of docs/architecture.md, checked on the source (tests run from the
 * repository root). Entry points (cli/, server.ts, http/) → logic (ingest/, domain/,
 * simulate/) → storage/port.ts; the pure domain imports no I/O, no framework and no
 * driver; only storage/open-store.ts knows the adapters; the dashboard shares no code
 * with the server but the API types generated from its document.
 */

interface SourceImport {
  file: string;
  /** A repository path for a relative import (without extension games: as written), else the package name. */
  target: string;
  relative: boolean;
}

const SOURCE_ROOTS = ['src', 'web/src'];
/** The client types openapi-typescript writes from /api/openapi.json (`npm run generate:api-types`). */
const GENERATED_API_TYPES = 'src/http/openapi/generated/api.ts';

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return /\.ts$/.test(name) && !/\.test\.ts$/.test(name) && !/\.d\.ts$/.test(name) ? [path] : [];
  });
}

function importsOf(file: string): SourceImport[] {
  const text = readFileSync(file, 'utf8');
  const found: SourceImport[] = [];
  for (const match of text.matchAll(/(?:^|\n)\s*(?:import|export)\b[^;'"]*?from\s+['"]([^'"]+)['"]|\bimport\(\s*['"]([^'"]+)['"]\s*\)/g)) {
    const spec = match[1] ?? match[2] ?? '';
    const isRelative = spec.startsWith('.');
    const target = isRelative ? normalize(join(dirname(file), spec)).replace(/\.js$/, '.ts') : spec;
    found.push({ file, target, relative: isRelative });
  }
  return found;
}

const ALL = SOURCE_ROOTS.flatMap(sourceFiles).flatMap(importsOf);

function under(path: string, ...folders: string[]): boolean {
  return folders.some((folder) => path === folder || path.startsWith(`${folder}/`));
}

/** Every import from files under `from` that `allowed` refuses, as "file -> target". */
function violations(from: string[], allowed: (imp: SourceImport) => boolean): string[] {
  return ALL.filter((imp) => under(imp.file, ...from) && !allowed(imp)).map((imp) => `${imp.file} -> ${imp.target}`);
}

describe('import rules (docs/architecture.md)', () => {
  it('when the source is read, then imports are found in every layer (the checks below are not vacuous)', () => {
    for (const folder of ['src/domain', 'src/ingest', 'src/storage', 'src/http', 'src/cli', 'web/src']) {
      assert.ok(ALL.some((imp) => under(imp.file, folder)), `no imports found under ${folder}`);
    }
  });

  it('when domain/ imports, then only domain/ (and node:crypto for hashing): no I/O, framework or driver', () => {
    assert.deepEqual(violations(['src/domain'], (imp) => (imp.relative ? under(imp.target, 'src/domain') : imp.target === 'node:crypto')), []);
  });

  it('when ingest/ or simulate/ import, then only the domain, themselves, the storage port and the error type', () => {
    const logic = (imp: SourceImport) =>
      imp.relative
        ? under(imp.target, 'src/domain', 'src/ingest', 'src/simulate', 'src/errors') || imp.target === 'src/storage/port.ts'
        : imp.target === 'node:crypto' || imp.target === 'node:http';
    assert.deepEqual(violations(['src/ingest'], logic).concat(violations(['src/simulate'], (imp) => logic(imp) && !imp.target.startsWith('src/ingest'))), []);
  });

  it('when relay/ imports, then only itself, the domain, the error type, the storage port and Node\'s HTTP clients', () => {
    const allowed = (imp: SourceImport) =>
      imp.relative
        ? under(imp.target, 'src/relay', 'src/domain', 'src/errors') || imp.target === 'src/storage/port.ts'
        : ['node:crypto', 'node:events', 'node:http', 'node:https'].includes(imp.target);
    assert.ok(ALL.some((imp) => under(imp.file, 'src/relay')), 'no imports found under src/relay');
    assert.deepEqual(violations(['src/relay'], allowed), []);
  });

  it('when storage/ imports, then never an entry point or the logic above it', () => {
    assert.deepEqual(
      violations(['src/storage'], (imp) => !imp.relative || under(imp.target, 'src/storage', 'src/domain', 'src/errors')),
      [],
    );
  });

  it('when code outside storage/ imports storage, then only the port and open-store.ts (open-store alone knows the adapters)', () => {
    // Two tools work on a database file itself, by design: the bulk loader writes SQLite pages
    // directly (src/seed/), and `callevt spool` maintains the spool file with no receiver running.
    const toolsOnFiles = (imp: SourceImport) => under(imp.file, 'src/seed') || imp.file === 'src/cli/commands/spool.ts';
    const outside = ALL.filter((imp) => imp.relative && !under(imp.file, 'src/storage') && under(imp.target, 'src/storage') && !toolsOnFiles(imp));
    const wrong = outside
      .filter((imp) => !['src/storage/port.ts', 'src/storage/open-store.ts'].includes(imp.target))
      .map((imp) => `${imp.file} -> ${imp.target}`);
    assert.deepEqual(wrong, []);
  });

  it('when http/ imports, then never the CLI or the simulator', () => {
    assert.deepEqual(violations(['src/http'], (imp) => !imp.relative || !under(imp.target, 'src/cli', 'src/simulate')), []);
  });

  it('when errors/ or logging/ import, then only themselves; config/ never an entry point (they sit under every layer)', () => {
    for (const folder of ['src/errors', 'src/logging']) {
      assert.deepEqual(violations([folder], (imp) => !imp.relative || under(imp.target, folder)), [], folder);
    }
    // Configuration reads the defaults of the layers it configures, never the code that reads it.
    assert.deepEqual(violations(['src/config'], (imp) => !imp.relative || !under(imp.target, 'src/http', 'src/cli', 'src/server.ts')), []);
  });

  it('when the dashboard imports, then only itself, its chart library and the API types generated from the document: no server code', () => {
    const allowed = (imp: SourceImport) =>
      imp.relative ? under(imp.target, 'web/src') || imp.target === GENERATED_API_TYPES : imp.target === 'uplot';
    assert.deepEqual(violations(['web/src'], allowed), []);
  });
});

