// What a test file of the agency servers sets up once: the test network's PKI, a real PostgreSQL and
// a temporary folder, made before its tests and removed after them, with whatever the file pushed on
// `closers` (servers, workstations) closed first, last made first.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before } from 'node:test';
import { TransportError } from '../../main/core/sync/transport';
import { tempDir } from './desk';
import { networkPki, type NetworkPki } from './network';
import { startPostgres, type TestPostgres } from './postgres';

export interface NetworkSuite {
  /** Available once the file's `before` hooks ran. */
  readonly n: NetworkPki;
  readonly pg: TestPostgres;
  /** A path inside the file's temporary folder. */
  path(name: string): string;
  readonly closers: Array<() => unknown>;
}

export function networkSuite(prefix: string): NetworkSuite {
  let n: NetworkPki | undefined;
  let pg: TestPostgres | undefined;
  let tmp: { dir: string; cleanup(): void } | undefined;
  const closers: Array<() => unknown> = [];
  before(async () => {
    tmp = tempDir(prefix);
    [n, pg] = await Promise.all([networkPki(), startPostgres()]);
  });
  after(async () => {
    for (const c of closers.reverse()) await c();
    pg?.stop();
    n?.pki.cleanup();
    tmp?.cleanup();
  });
  return {
    get n() { return n!; },
    get pg() { return pg!; },
    path: (name) => join(tmp!.dir, name),
    closers,
  };
}

/** The TransportError a request was refused with; fails the test when it was not refused. */
export async function transportRefusal(p: Promise<unknown>): Promise<TransportError> {
  try {
    await p;
  } catch (e) {
    assert.ok(e instanceof TransportError, String(e));
    return e;
  }
  assert.fail('not refused');
}
