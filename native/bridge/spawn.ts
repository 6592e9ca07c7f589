// Starting the bridge process. The default forks a Node child process; the Electron app passes a
// spawner built on utilityProcess.fork instead (same worker code, same messages), so nothing here
// imports electron.
import { fork } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RequestEnvelope } from './protocol';

export interface BridgeProcess {
  readonly pid: number | undefined;
  send(message: RequestEnvelope): void;
  onMessage(handler: (message: unknown) => void): void;
  /** Called once, however the process ended (exit, crash, kill, failure to start). */
  onExit(handler: (code: number | null, signal: string | null) => void): void;
  onStderr(handler: (text: string) => void): void;
  kill(): void;
  /** Keep the app's event loop alive only while a call is pending. */
  setRef(ref: boolean): void;
}

export type SpawnBridge = (env: NodeJS.ProcessEnv) => BridgeProcess;

/**
 * worker.js next to this file in a build, worker.ts when running from sources, unless the test runner
 * built the bundles of these same sources first and named their directory in SECUREDESK_DEV_BUNDLES
 * (a bridge started through tsx takes 0.75 s against 0.25 s). A build never reads that variable.
 */
export function defaultWorkerPath(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  const built = join(here, 'worker.js');
  if (existsSync(built)) return built;
  const dev = import.meta.url.endsWith('.ts') ? process.env.SECUREDESK_DEV_BUNDLES : undefined;
  const devBuilt = dev ? join(dev, 'native', 'bridge-worker.js') : null;
  return devBuilt && existsSync(devBuilt) ? devBuilt : join(here, 'worker.ts');
}

export function forkSpawner(workerPath: string = defaultWorkerPath()): SpawnBridge {
  // From sources the child needs the tsx loader. Resolve it to a file URL here, so the child finds
  // it whatever its working directory; never inherit our execArgv (--test, --inspect, ...).
  const execArgv = /\.[cm]?ts$/.test(workerPath) ? ['--import', import.meta.resolve('tsx')] : [];
  return (env) => {
    const child = fork(workerPath, [], {
      execArgv,
      env,
      serialization: 'advanced', // structured clone: Uint8Array crosses as bytes, like utilityProcess
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'], // vendor libraries may print; stdout is dropped
    });
    let exited = false;
    const exitHandlers: ((code: number | null, signal: string | null) => void)[] = [];
    const finish = (code: number | null, signal: string | null) => {
      if (exited) return;
      exited = true;
      for (const h of exitHandlers) h(code, signal);
    };
    child.on('exit', finish);
    child.on('error', () => {
      // Failed to start, or a send on a closed channel: either way this process is of no use.
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      else finish(child.exitCode, child.signalCode);
    });
    return {
      pid: child.pid,
      send: (message) => {
        if (!child.connected) return; // the exit handler reports it
        child.send(message, (err) => {
          if (err) child.kill('SIGKILL');
        });
      },
      onMessage: (h) => child.on('message', h),
      onExit: (h) => exitHandlers.push(h),
      onStderr: (h) => child.stderr?.on('data', (chunk: Buffer) => h(chunk.toString('utf8'))),
      // SIGKILL: a process stuck inside a vendor call may never run a SIGTERM handler.
      kill: () => {
        if (!exited) child.kill('SIGKILL');
      },
      setRef: (ref) => {
        const channel = child.channel as { ref?: () => void; unref?: () => void } | null | undefined;
        if (ref) {
          child.ref();
          channel?.ref?.();
        } else {
          child.unref();
          channel?.unref?.();
        }
        // stderr is a pipe too; an idle bridge must not keep the app alive through it.
        const stderr = child.stderr as unknown as { ref?: () => void; unref?: () => void } | null;
        if (ref) stderr?.ref?.();
        else stderr?.unref?.();
      },
    };
  };
}
