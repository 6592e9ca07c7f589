// A node:test reporter that writes how long each test file took, slowest first (wall time, from the
// runner starting the file to its last report), so that each CI run names its slowest files.
// Used by scripts/test.mjs; one line a file: "<seconds> s  <file>  (<tests> tests)".
export default async function* fileTimes(source) {
  const files = new Map();
  for await (const event of source) {
    const file = event.data?.file;
    if (!file) continue;
    const now = Date.now();
    let f = files.get(file);
    if (!f) files.set(file, (f = { from: now, to: now, tests: 0 }));
    // The runner dequeues the file itself (its name is the file) when it starts it.
    if (event.type === 'test:dequeue' && event.data.name === file) f.from = now;
    if ((event.type === 'test:pass' || event.type === 'test:fail') && event.data.name !== file) f.tests++;
    f.to = now;
  }
  const rows = [...files].map(([file, f]) => ({ file: file.replace(`${process.cwd()}/`, ''), s: (f.to - f.from) / 1000, tests: f.tests }));
  rows.sort((a, b) => b.s - a.s);
  for (const r of rows) yield `${r.s.toFixed(1).padStart(7)} s  ${r.file}  (${r.tests} tests)\n`;
}
