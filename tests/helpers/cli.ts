// How the tests start the CLI: the bundle that scripts/test.mjs built from these same sources before the
// run (SECUREDESK_DEV_BUNDLES: 0.7 s to start against 2.1 s), else the TypeScript sources through tsx
// (a single test file run by hand).
import { existsSync } from 'node:fs';
import { join } from 'node:path';

const ROOT = join(import.meta.dirname, '..', '..');

/** node's arguments before the CLI's own. */
export function cliEntry(): string[] {
  const dev = process.env.SECUREDESK_DEV_BUNDLES;
  const built = dev ? join(dev, 'cli', 'securedesk.js') : null;
  return built && existsSync(built) ? [built] : ['--import', 'tsx', join(ROOT, 'main', 'cli', 'index.ts')];
}
