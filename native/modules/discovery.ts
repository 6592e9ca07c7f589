// Finding the token driver (PKCS#11 library) on this workstation. The machine configuration
// decides when it lists modules; only without it do we look in well-known places. Only files
// that exist are returned; loading them is the bridge's job (it survives a bad one).
import { createHash } from 'node:crypto';
import { realpath, stat } from 'node:fs/promises';
import { win32 } from 'node:path';
import { defaultMachineConfigPath, readMachineConfig, type MachineConfig } from './machineConfig';

/**
 * The id the window uses for a module discovery offered: stable for a configured path, opaque,
 * and useless for naming any other file (the core maps ids back only to paths discovery returns).
 */
export function moduleId(path: string): string {
  return createHash('sha256').update(`securedesk-pkcs11-module\u0000${path}`).digest('hex').slice(0, 16);
}

export interface KnownModule {
  path: string;
  vendor: string;
  /** Keys in software (SoftHSM): fine for tests and demos, refuse by policy on real workstations. */
  software: boolean;
}

export interface ModuleCandidate extends KnownModule {
  source: 'machine-config' | 'well-known';
}

export interface DiscoveryResult {
  configPath: string;
  config: MachineConfig | null;
  modules: ModuleCandidate[];
  /** Configured modules that are missing or unsafe; worth a warning to the administrator. */
  skipped: { path: string; reason: string }[];
}

// Windows DLL names as installed into System32 by the Vietnamese CAs' token packages. They are
// taken from several independent public signing tools that probe for them, not from the
// installers themselves; the Government Cipher Committee (Ban Cơ yếu) tokens are not among them:
// list their driver in machine.json.
const WINDOWS_SYSTEM32: [file: string, vendor: string][] = [
  ['vnpt-ca_csp11.dll', 'VNPT-CA'],
  ['vnptca_p11_v8.dll', 'VNPT-CA'],
  ['viettel-ca_v6.dll', 'Viettel-CA'],
  ['viettel-ca_v5.dll', 'Viettel-CA'],
  ['BkavCA.dll', 'BKAV-CA'],
  ['fpt-ca.dll', 'FPT-CA'],
  ['CA2_csp11.dll', 'CA2 (Nacencomm)'],
  ['ShuttleCsp11_3003.dll', 'Feitian ePass3003'],
  ['eps2003csp11.dll', 'Feitian ePass2003'],
  ['eTPKCS11.dll', 'SafeNet eToken'],
  ['cryptoki.dll', 'generic'],
  ['opensc-pkcs11.dll', 'OpenSC'],
];

export function wellKnownModules(platform: NodeJS.Platform = process.platform, env = process.env): KnownModule[] {
  if (platform === 'win32') {
    const system32 = win32.join(env.SystemRoot ?? 'C:\\Windows', 'System32');
    const programFiles = env.ProgramFiles ?? 'C:\\Program Files';
    return [
      ...WINDOWS_SYSTEM32.map(([file, vendor]) => ({ path: win32.join(system32, file), vendor, software: false })),
      { path: win32.join(programFiles, 'OpenSC Project', 'OpenSC', 'pkcs11', 'opensc-pkcs11.dll'), vendor: 'OpenSC', software: false },
      { path: 'C:\\SoftHSM2\\lib\\softhsm2-x64.dll', vendor: 'SoftHSM', software: true },
    ];
  }
  if (platform === 'darwin') {
    return [
      { path: '/Library/OpenSC/lib/opensc-pkcs11.so', vendor: 'OpenSC', software: false },
      { path: '/opt/homebrew/lib/opensc-pkcs11.so', vendor: 'OpenSC', software: false },
      { path: '/usr/local/lib/opensc-pkcs11.so', vendor: 'OpenSC', software: false },
      { path: '/usr/local/lib/libeTPkcs11.dylib', vendor: 'SafeNet eToken', software: false },
      { path: '/opt/homebrew/lib/softhsm/libsofthsm2.so', vendor: 'SoftHSM', software: true },
      { path: '/usr/local/lib/softhsm/libsofthsm2.so', vendor: 'SoftHSM', software: true },
    ];
  }
  return [
    { path: '/usr/lib/x86_64-linux-gnu/opensc-pkcs11.so', vendor: 'OpenSC', software: false },
    { path: '/usr/lib/x86_64-linux-gnu/pkcs11/opensc-pkcs11.so', vendor: 'OpenSC', software: false },
    { path: '/usr/lib64/opensc-pkcs11.so', vendor: 'OpenSC', software: false },
    { path: '/usr/lib/libeTPkcs11.so', vendor: 'SafeNet eToken', software: false },
    { path: '/usr/lib/softhsm/libsofthsm2.so', vendor: 'SoftHSM', software: true },
    { path: '/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so', vendor: 'SoftHSM', software: true },
    { path: '/usr/lib64/pkcs11/libsofthsm2.so', vendor: 'SoftHSM', software: true },
  ];
}

export async function discoverModules(
  options: { configPath?: string; platform?: NodeJS.Platform; env?: NodeJS.ProcessEnv } = {},
): Promise<DiscoveryResult> {
  const platform = options.platform ?? process.platform;
  const env = options.env ?? process.env;
  const configPath = options.configPath ?? defaultMachineConfigPath(platform, env);
  const config = await readMachineConfig(configPath, { platform }); // throws MachineConfigError
  const skipped: DiscoveryResult['skipped'] = [];
  const modules: ModuleCandidate[] = [];
  const seen = new Set<string>();
  const known = wellKnownModules(platform, env);

  if (config && config.pkcs11Modules.length > 0) {
    // The administrator chose: no guessing, and a missing driver is reported, not replaced.
    for (const path of config.pkcs11Modules) {
      const checked = await check(path, platform);
      if ('problem' in checked) skipped.push({ path, reason: checked.problem });
      else if (!seen.has(checked.real)) {
        seen.add(checked.real);
        const k = known.find((m) => m.path === path);
        modules.push({ path, vendor: k?.vendor ?? 'configured', software: k?.software ?? /softhsm/i.test(path), source: 'machine-config' });
      }
    }
    return { configPath, config, modules, skipped };
  }
  for (const k of known) {
    const checked = await check(k.path, platform);
    if ('problem' in checked || seen.has(checked.real)) continue; // a symlink to one already found
    seen.add(checked.real);
    modules.push({ ...k, source: 'well-known' });
  }
  return { configPath, config, modules, skipped };
}

/** The file's real path, or why it cannot be offered. */
async function check(path: string, platform: NodeJS.Platform): Promise<{ real: string } | { problem: string }> {
  try {
    const st = await stat(path);
    if (!st.isFile()) return { problem: 'not a file' };
    // Anyone who can rewrite the library can run code in the bridge with the user's token.
    if (platform !== 'win32' && process.platform !== 'win32' && st.mode & 0o022) return { problem: 'writable by other users' };
    return { real: await realpath(path) };
  } catch {
    return { problem: 'not found' };
  }
}
