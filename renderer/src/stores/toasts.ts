import { create } from 'zustand';
import { onWipe } from './wipe';

export type ToastKind = 'success' | 'error' | 'info';
export interface ToastAction {
  label: string;
  run(): void;
}
export interface Toast {
  id: number;
  kind: ToastKind;
  text: string;
  action?: ToastAction;
}

interface ToastState {
  toasts: Toast[];
  push(kind: ToastKind, text: string, action?: ToastAction): number;
  dismiss(id: number): void;
}

let nextId = 1;
const LIFETIME_MS: Record<ToastKind, number> = { success: 6000, info: 6000, error: 12000 };

export const useToasts = create<ToastState>()((set, get) => ({
  toasts: [],
  push(kind, text, action) {
    const id = nextId++;
    // The same error twice in a row (e.g. a lost connection) is shown once.
    const last = get().toasts.at(-1);
    if (last && last.kind === kind && last.text === text) return last.id;
    set((s) => ({ toasts: [...s.toasts.slice(-3), { id, kind, text, ...(action ? { action } : {}) }] }));
    setTimeout(() => get().dismiss(id), LIFETIME_MS[kind]);
    return id;
  },
  dismiss(id) {
    set((s) => ({ toasts: s.toasts.filter((t) => t.id !== id) }));
  },
}));

// A toast may name a document ("Đã vào sổ: số đến …"): a lock clears them.
onWipe(() => useToasts.setState({ toasts: [] }));

export const toast = {
  success: (text: string, action?: ToastAction) => useToasts.getState().push('success', text, action),
  error: (text: string) => useToasts.getState().push('error', text),
  info: (text: string) => useToasts.getState().push('info', text),
};
