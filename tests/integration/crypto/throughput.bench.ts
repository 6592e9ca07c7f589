// Throughput and peak memory of our streamed AuthEnvelopedData encryption/decryption on a
// 200 MB file, against `openssl cms -encrypt -aes-256-gcm` / `-decrypt` on the same machine.
// Not a test (timings on shared machines are noisy): it prints a table. Each operation runs in
// its own process under /usr/bin/time, so peak RSS is per operation; rounds alternate ours and
// openssl and the median is reported. Our side runs as an esbuild bundle on plain node, as the
// app ships (under tsx, its loader thread alone adds ~30 MiB RSS and start-up time).
//
//   node --import tsx tests/integration/crypto/throughput.bench.ts [sizeMB=200] [rounds=3]
import { execFileSync, spawnSync } from 'node:child_process';
import { randomFillSync } from 'node:crypto';
import { closeSync, openSync, readFileSync, rmSync, statSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { decryptFile, encryptFile } from '../../../main/core/crypto/envelope';
import { TestPki } from '../../helpers/pki';
import { softKey } from '../../helpers/softKey';

const self = fileURLToPath(import.meta.url);

async function worker(args: string[]): Promise<void> {
  const [op, input, output, certPath, keyPath, durable] = args as [string, string, string, string, string, string];
  const certPem = readFileSync(certPath, 'utf8');
  const certDer = Buffer.from(certPem.replace(/-----[^-]+-----|\s+/g, ''), 'base64');
  const t0 = performance.now();
  if (op === 'enc') await encryptFile(input, output, { recipients: [certDer], durable: durable === 'durable' });
  else await decryptFile(input, output, { key: softKey(certDer, readFileSync(keyPath, 'utf8')), durable: durable === 'durable' });
  process.stdout.write(`${((performance.now() - t0) / 1000).toFixed(3)}\n`);
}

interface Run {
  seconds: number; // wall time of the operation itself
  processSeconds: number; // including process start-up
  peakMiB: number;
}

function timed(cmd: string, args: string[]): Run {
  const r = spawnSync('/usr/bin/time', ['-f', '%e %M', cmd, ...args], { encoding: 'utf8', maxBuffer: 1 << 20 });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed: ${r.stderr}`);
  const [elapsed, kb] = r.stderr.trim().split('\n').pop()!.split(' ').map(Number) as [number, number];
  const inner = Number(r.stdout.trim());
  return { seconds: Number.isFinite(inner) && inner > 0 ? inner : elapsed, processSeconds: elapsed, peakMiB: kb / 1024 };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function main(): Promise<void> {
  const sizeMB = Number(process.argv[2] ?? 200);
  const rounds = Number(process.argv[3] ?? 3);
  const pki = new TestPki();
  const d = pki.dir;
  try {
    const a = pki.issue('bench', { key: 'rsa2048', subject: '/C=VN/CN=Đo tốc độ' });
    const plain = join(d, 'plain.bin');
    const fd = openSync(plain, 'w');
    const block = Buffer.alloc(1 << 20);
    for (let i = 0; i < sizeMB; i++) writeSync(fd, randomFillSync(block));
    closeSync(fd);
    const mb = statSync(plain).size / 1e6;
    const bundle = join(d, 'bench-worker.mjs');
    const { build } = await import('esbuild'); // dev tool; not part of the worker bundle
    await build({ entryPoints: [self], bundle: true, platform: 'node', format: 'esm', outfile: bundle, external: ['esbuild'], logLevel: 'warning' });
    const node = [process.execPath, bundle, 'worker'];
    const ops: Record<string, () => Run> = {
      'ours encrypt (no fsync)': () => timed(node[0]!, [...node.slice(1), 'enc', plain, join(d, 'ours.p7m'), a.certPath, a.keyPath, 'fast']),
      'ours encrypt (fsync, default)': () => timed(node[0]!, [...node.slice(1), 'enc', plain, join(d, 'ours.p7m'), a.certPath, a.keyPath, 'durable']),
      'openssl encrypt -stream': () => timed('openssl', ['cms', '-encrypt', '-binary', '-outform', 'DER', '-aes-256-gcm', '-stream', '-in', plain, '-out', join(d, 'ossl-stream.p7m'), '-recip', a.certPath, '-keyopt', 'rsa_padding_mode:oaep']),
      'openssl encrypt (no -stream)': () => timed('openssl', ['cms', '-encrypt', '-binary', '-outform', 'DER', '-aes-256-gcm', '-in', plain, '-out', join(d, 'ossl.p7m'), '-recip', a.certPath, '-keyopt', 'rsa_padding_mode:oaep']),
      'ours decrypt ours (no fsync)': () => timed(node[0]!, [...node.slice(1), 'dec', join(d, 'ours.p7m'), join(d, 'out-ours.bin'), a.certPath, a.keyPath, 'fast']),
      'ours decrypt ours (fsync, default)': () => timed(node[0]!, [...node.slice(1), 'dec', join(d, 'ours.p7m'), join(d, 'out-ours.bin'), a.certPath, a.keyPath, 'durable']),
      'ours decrypt openssl -stream (4 KiB pieces)': () => timed(node[0]!, [...node.slice(1), 'dec', join(d, 'ossl-stream.p7m'), join(d, 'out-ours2.bin'), a.certPath, a.keyPath, 'fast']),
      'openssl decrypt ours': () => timed('openssl', ['cms', '-decrypt', '-binary', '-inform', 'DER', '-in', join(d, 'ours.p7m'), '-out', join(d, 'out-ossl.bin'), '-recip', a.certPath, '-inkey', a.keyPath]),
      'openssl decrypt openssl (no -stream)': () => timed('openssl', ['cms', '-decrypt', '-binary', '-inform', 'DER', '-in', join(d, 'ossl.p7m'), '-out', join(d, 'out-ossl2.bin'), '-recip', a.certPath, '-inkey', a.keyPath]),
    };
    const results = new Map<string, Run[]>();
    for (let r = 0; r < rounds; r++) {
      for (const [name, run] of Object.entries(ops)) {
        // openssl cms -decrypt reads the whole file into memory and takes seconds: once is enough.
        if (r > 0 && name.startsWith('openssl decrypt')) continue;
        const res = run();
        results.set(name, [...(results.get(name) ?? []), res]);
      }
    }
    execFileSync('cmp', [plain, join(d, 'out-ours.bin')]);
    execFileSync('cmp', [plain, join(d, 'out-ours2.bin')]);
    execFileSync('cmp', [plain, join(d, 'out-ossl.bin')]);
    console.log(`${sizeMB} MiB file, ${rounds} rounds, median (node ${process.version}, ${execFileSync('openssl', ['version']).toString().trim()}); load average ${readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')}`);
    console.log('s = the operation alone (ours: timed inside the process); s+start = whole process; MB/s from s');
    console.log(`${'operation'.padEnd(46)} ${'MB/s'.padStart(7)} ${'s'.padStart(7)} ${'s+start'.padStart(8)} ${'peak RSS MiB'.padStart(13)}`);
    for (const [name, runs] of results) {
      const s = median(runs.map((x) => x.seconds));
      console.log(`${name.padEnd(46)} ${(mb / s).toFixed(0).padStart(7)} ${s.toFixed(2).padStart(7)} ${median(runs.map((x) => x.processSeconds)).toFixed(2).padStart(8)} ${Math.max(...runs.map((x) => x.peakMiB)).toFixed(0).padStart(13)}`);
    }
  } finally {
    rmSync(d, { recursive: true, force: true });
  }
}

if (process.argv[2] === 'worker') await worker(process.argv.slice(3));
else await main();
