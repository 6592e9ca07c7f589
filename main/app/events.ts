// Events main pushes to the window (Electron: `${IPC_PREFIX}event`; development host: GET /events).
// Electron-free, so the development host builds the same payloads. A pushed event never carries
// document content: only that the session was locked (and why), or that the idle lock is coming.
import { IPC_PREFIX, type DeskEvent } from '../../common/contract';
import type { LockReason, SessionGuard } from '../core/session/guard';

export const EVENT_CHANNEL = `${IPC_PREFIX}event`;

/** The pushed form of a lock: why, and for an idle lock after how long. */
export function lockEvent(reason: LockReason, guard: Pick<SessionGuard, 'idleMs'>): DeskEvent {
  return reason === 'idle'
    ? { type: 'session.locked', reason, idleSeconds: Math.round(guard.idleMs / 1000) }
    : { type: 'session.locked', reason };
}

/**
 * Forwards the guard's idle warning (and the activity that withdraws it) to `send`; the lock itself
 * is forwarded by each host with what it must do first. Returns the unsubscribe.
 */
export function pushIdleEvents(guard: Pick<SessionGuard, 'on' | 'off'>, send: (event: DeskEvent) => void): () => void {
  const warn = (seconds: number) => send({ type: 'session.idleWarning', seconds });
  const resumed = () => send({ type: 'session.resumed' });
  guard.on('idleWarning', warn);
  guard.on('resumed', resumed);
  return () => {
    guard.off('idleWarning', warn);
    guard.off('resumed', resumed);
  };
}
