// `node --import tsx tests/bench/syncStatusesOnly.ts [N]`: the statuses catch-up alone (syncStatuses.ts),
// its figures as one JSON line (`npm run bench -- --only sync` runs the fresh workstation's part too).
import { measureStatusCatchUp } from './syncStatuses';

const n = Number(process.argv[2] ?? 2000);
measureStatusCatchUp({ statuses: n }).then((f) => console.log(JSON.stringify(f)), (e: unknown) => {
  console.error(e);
  process.exit(1);
});
