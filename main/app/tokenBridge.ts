// The token bridge in Electron: the same worker (dist/native/bridge-worker.js, built by
// scripts/build.mjs) in a utilityProcess instead of a Node child process, so a vendor PKCS#11
// driver that hangs or crashes costs that process only (native/README.md).
import { join } from 'node:path';
import { utilityProcess } from 'electron';
import type { SpawnBridge } from '../../native/bridge/spawn';
import { mainBundleDir } from './window';

/** dist/native/bridge-worker.js, beside dist/main/app.cjs. */
export const bridgeWorkerPath = (mainDir: string = mainBundleDir()): string => join(mainDir, '..', 'native', 'bridge-worker.js');

export function utilitySpawner(workerPath: string = bridgeWorkerPath()): SpawnBridge {
  return (env) => {
    const child = utilityProcess.fork(workerPath, [], {
      env,
      stdio: ['ignore', 'ignore', 'pipe'], // vendor libraries may print; stdout is dropped
      serviceName: 'SecureDesk token bridge',
    });
    let done = false;
    const exits: ((code: number | null, signal: string | null) => void)[] = [];
    child.once('exit', (code) => {
      done = true;
      exits.forEach((h) => h(code, null));
    });
    return {
      get pid() {
        return child.pid;
      },
      send: (m) => child.postMessage(m),
      onMessage: (h) => {
        child.on('message', h);
      },
      onExit: (h) => {
        exits.push(h);
      },
      onStderr: (h) => {
        child.stderr?.on('data', (b: Buffer) => h(b.toString('utf8')));
      },
      kill: () => {
        if (!done) child.kill();
      },
      // A utility process does not hold the app's event loop open.
      setRef: () => {},
    };
  };
}
