// Long work of the core the person waits for (pushed as work.progress events), by task (and level).
import { create } from 'zustand';
import type { DeskEvent } from '../../../common/contract';

export type Progress = Extract<DeskEvent, { type: 'work.progress' }>;

/** One entry per re-keyed level, one per other task (migrations, encryption, split). */
export const workKey = (w: Progress): string => (w.task === 'rekey' ? `rekey-${w.level}` : w.task);

/** Over: every file re-keyed; the last step of a stepped task ended. */
const over = (w: Progress): boolean => w.done >= w.total && (w.task === 'rekey' || w.step === w.steps);

/** Tasks an unlock (or a binding by the recovery key) runs and waits for. */
const UNLOCK_TASKS = new Set<Progress['task']>(['migrate', 'encrypt', 'split']);

interface WorkState {
  running: Progress[];
  report(event: Progress): void;
  /** The unlock is over, done or refused: a task it left unfinished (an error half-way) is no longer under way. */
  unlockEnded(): void;
}

export const useWork = create<WorkState>((set) => ({
  running: [],
  report: (event) =>
    set((s) => {
      const others = s.running.filter((w) => workKey(w) !== workKey(event));
      // The latest figure replaces the last.
      return { running: over(event) ? others : [...others, event] };
    }),
  unlockEnded: () => set((s) => ({ running: s.running.filter((w) => !UNLOCK_TASKS.has(w.task)) })),
}));
