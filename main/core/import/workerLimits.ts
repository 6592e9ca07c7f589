// V8's limits for the import's worker threads. Each isolate otherwise grows its young generation to
// tens of MB while it churns through rows and file chunks (the file bytes themselves live outside the
// heap): measured on the bench, 8 000 records, the file workers' heaps 67 → 44 MB each and the database
// worker's 75 → 49 MB, the process's peak 557 → 506 MB, for no CPU the runs could tell apart.
import type { ResourceLimits } from 'node:worker_threads';

export const WORKER_LIMITS: ResourceLimits = { maxYoungGenerationSizeMb: 8 };
