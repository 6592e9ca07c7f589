// Whether a process with this id still exists: how a run tells the leftovers (temporary files, pack
// markers) of a process killed with SIGKILL from those of one still at work.
export function processAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM'; // exists, but another user's
  }
}
