// `npm run start:browser`: the development host on a profile directory, with the token bridge,
// the token service and the session guard the app uses.
//
//   --profile DIR        the workstation profile (default .profiles/demo)
//   --demo               SoftHSM demo tokens kept beside the profile (DIR-softhsm/) and, on first
//                        start, a seeded demo profile unlocked by the văn thư's token
//   --module PATH        a PKCS#11 library to offer (repeatable); default: machine.json, else
//                        the well-known driver paths (native/modules/discovery.ts)
//   --idle-minutes N     lock after N minutes without activity (default: machine.json, else 10)
//   --port N, --renderer DIR
//
// Signatures are verified against machine.json's trustAnchors (PEM files); with --demo the demo
// tokens' CA is trusted as well.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { TokenBridge } from '../../native/bridge/client';
import { discoverModules } from '../../native/modules/discovery';
import { machineRevocationLists } from '../../native/modules/machineConfig';
import { parseCertificate, pemToDer } from '../core/crypto';
import { Desk } from '../core/desk';
import { fileLogger } from '../core/log';
import { SessionGuard } from '../core/session/guard';
import { TokenService, type TokenRef } from '../core/session/tokens';
import type { TOKEN_SPECS } from '../../tests/fixtures/softhsm/tokens';
import { seedDemoProfile } from './demoProfile';
import { startDevHost } from './server';
import { attachAgencySync } from '../core/sync/agencySync';

const { values } = parseArgs({
  options: {
    profile: { type: 'string', default: '.profiles/demo' },
    demo: { type: 'boolean', default: false },
    port: { type: 'string', default: '0' },
    renderer: { type: 'string', default: 'dist/renderer' },
    module: { type: 'string', multiple: true },
    'idle-minutes': { type: 'string' },
  },
});

const out = (line = '') => process.stdout.write(`${line}\n`);
const fail = (message: string): never => {
  process.stderr.write(`${message}\n`);
  process.exit(1);
};

const profileDir = resolve(values.profile!);
const log = fileLogger(resolve(profileDir, 'logs', 'devhost.log'));

// Which drivers to offer: as given, or what discovery finds each time the directory is read (a
// driver installed while the host runs shows up on "Làm mới").
const explicitModules = values.module?.map((m) => resolve(m));
let machineIdleMinutes: number | undefined;
let machineTrustAnchors: string[] = [];
let machineAgencyServer: { url: string; ca: string } | undefined;
try {
  const config = (await discoverModules()).config;
  machineIdleMinutes = config?.idleLockMinutes;
  machineTrustAnchors = config?.trustAnchors ?? [];
  machineAgencyServer = config?.agencyServer;
} catch (err) {
  log.log('warn', 'machine configuration unreadable', { error: (err as Error).message });
}
const modules = async (): Promise<string[]> => {
  if (explicitModules) return explicitModules;
  try {
    return (await discoverModules()).modules.map((m) => m.path);
  } catch (err) {
    log.log('error', 'token driver discovery failed', { error: (err as Error).message });
    return [];
  }
};
const idleMinutes = values['idle-minutes'] !== undefined ? Number(values['idle-minutes']) : (machineIdleMinutes ?? 10);
if (!Number.isFinite(idleMinutes) || idleMinutes <= 0) fail('--idle-minutes must be a positive number');

/** The root certificates in PEM files; an unreadable file is logged and left out (signatures then show why). */
async function readTrustAnchors(files: readonly string[]): Promise<Uint8Array[]> {
  const anchors: Uint8Array[] = [];
  for (const file of files) {
    try {
      const found = pemToDer(await readFile(file, 'utf8'));
      if (found.length === 0) throw new Error('no PEM certificate in the file');
      anchors.push(...found);
    } catch (err) {
      log.log('error', 'trust anchor unreadable; signatures chaining to it will show as invalid', { file, error: (err as Error).message });
      out(`Cảnh báo: không đọc được chứng thư gốc ${file} (${(err as Error).message}).`);
    }
  }
  return anchors;
}

// Demo tokens live beside the profile and outlive the host, like a USB token outlives the app.
let env: NodeJS.ProcessEnv = process.env;
let demoSpecs: typeof TOKEN_SPECS | undefined;
const trustAnchorFiles = [...machineTrustAnchors];
if (values.demo) {
  const fixtures = await import('../../tests/fixtures/softhsm/tokens');
  demoSpecs = fixtures.TOKEN_SPECS;
  const hsmDir = join(dirname(profileDir), `${basename(profileDir)}-softhsm`);
  // The demo CA (createSoftHsm's ca/ca.pem) issued every demo certificate.
  trustAnchorFiles.push(join(hsmDir, 'ca', 'ca.pem'));
  const conf = join(hsmDir, 'softhsm2.conf');
  if (existsSync(conf)) {
    env = { ...process.env, SOFTHSM2_CONF: conf };
  } else {
    if (existsSync(join(profileDir, 'keyring.cms')))
      fail(`${profileDir} is locked to demo tokens that no longer exist (${hsmDir} is missing). Remove the profile to seed a new demo.`);
    out(`Creating SoftHSM demo tokens in ${hsmDir}…`);
    env = (await fixtures.createSoftHsm({ dir: hsmDir })).env;
  }
}

const trustAnchors = await readTrustAnchors(trustAnchorFiles);
// CRLs as the app reads them (machine configuration's crl folder and crls), at each verification.
const revocationLists = async () => {
  const r = await machineRevocationLists();
  if (r.problems.length) log.log('warn', 'CRL sources unreadable', { problems: r.problems });
  return r.files;
};
const desk = await Desk.open({ profileDir, logger: log, trustAnchors, revocationLists });
desk.ocr.autoStart = true; // as in the app: scanned files are read by OCR in the background
const bridge = new TokenBridge({ env });
bridge.on('stderr', (text) => log.log('warn', 'token bridge stderr', { text: text.slice(0, 500) }));
const tokens = new TokenService(bridge, modules);
const guard = new SessionGuard(desk, tokens, { idleMs: idleMinutes * 60_000 });
guard.on('locked', (reason) => log.log('info', 'session locked', { reason }));

if (demoSpecs) {
  const specs = demoSpecs;
  const directory = await tokens.directory();
  const byLabel = (label: string): TokenRef | undefined => {
    const t = directory.tokens.find((x) => x.label === label);
    return t ? { moduleId: t.moduleId, serial: t.serial } : undefined;
  };
  if (desk.state === 'new') {
    const clerk = byLabel(specs.userRsa.label) ?? fail(`No ${specs.userRsa.label} token is visible to the bridge.`);
    const admin = byLabel(specs.recovery.label);
    out('Seeding the demo profile (40 documents)…');
    await seedDemoProfile(guard, { clerk: { ref: clerk, pin: specs.userRsa.pin }, ...(admin ? { admin } : {}) });
  }
  out('');
  if (desk.needsBinding) out('Dữ liệu máy trạm này có từ trước khi dùng thiết bị ký số: lần mở khóa đầu tiên sẽ gắn thiết bị và mã hóa dữ liệu.');
  out('Thiết bị ký số thử nghiệm (SoftHSM):');
  out(`  ${specs.userRsa.label.padEnd(12)} PIN ${specs.userRsa.pin}    Nguyễn Thị Hương, văn thư (mở khóa được)`);
  out(`  ${specs.recovery.label.padEnd(12)} PIN ${specs.recovery.pin}    Phạm Quốc Tuấn, quản trị (mở khóa được)`);
  out(`  ${specs.userEc.label.padEnd(12)} PIN ${specs.userEc.pin}    chỉ có chứng thư EC để ký: không mở khóa được`);
  out(`  ${specs.spare.label.padEnd(12)} PIN ${specs.spare.pin}    chưa gắn với ai`);
}

// The agency server's sync, as the app runs it (machine.json agencyServer).
const sync = attachAgencySync(desk, guard, machineAgencyServer ? { url: machineAgencyServer.url, caPem: await readFile(machineAgencyServer.ca, 'utf8') } : null, log);
const host = await startDevHost({ desk, guard, rendererDir: resolve(values.renderer!), port: Number(values.port), sync });
out('');
out(`SecureDesk development host (profile ${profileDir}; khóa sau ${idleMinutes} phút không thao tác)`);
out(trustAnchors.length > 0
  ? `Chứng thư gốc tin cậy (chữ ký số): ${trustAnchors.map((c) => parseCertificate(c).commonName).join('; ')}`
  : 'Chưa cài đặt chứng thư gốc tin cậy (machine.json trustAnchors): mọi chữ ký số sẽ hiện là không hợp lệ.');
out(`Open: ${host.launchUrl}`);
let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  await host.close();
  sync.close();
  await guard.close();
  process.exit(0);
};
process.on('SIGINT', () => void stop());
process.on('SIGTERM', () => void stop());
