// Everything in the window that holds document data registers here how to drop it. A lock (token
// pulled, idle, bridge lost, "Khóa") runs every wiper at once, before the lock screen renders:
// list rows, the open document, the register draft, the pdf.js document in the viewer, toasts.
const wipers = new Set<() => void>();

/** Registers a wiper; returns the function that unregisters it. */
export function onWipe(fn: () => void): () => void {
  wipers.add(fn);
  return () => {
    wipers.delete(fn);
  };
}

export function wipeAll(): void {
  for (const fn of [...wipers]) {
    try {
      fn();
    } catch {
      /* one failing wiper must not keep the others from running */
    }
  }
}
