// Long work of the core the person waits for (pushed as work.progress events), by task and level.
import { create } from 'zustand';
import type { DeskEvent } from '../../../common/contract';

type Progress = Extract<DeskEvent, { type: 'work.progress' }>;

interface WorkState {
  running: Progress[];
  report(event: Progress): void;
}

export const useWork = create<WorkState>((set) => ({
  running: [],
  report: (event) =>
    set((s) => {
      const others = s.running.filter((w) => !(w.task === event.task && w.level === event.level));
      // Over when every file is done; otherwise the latest figure replaces the last.
      return { running: event.done >= event.total ? others : [...others, event] };
    }),
}));
