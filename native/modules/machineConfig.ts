// The machine-wide configuration an administrator writes once per workstation
// (%ProgramData%\SecureDesk\machine.json on Windows, /etc/securedesk/machine.json on Linux).
// It names the PKCS#11 libraries the app may load, which is running their code: on POSIX a file
// that other users can write is refused.
import { readdir, readFile, stat } from 'node:fs/promises';
import { join, posix, win32 } from 'node:path';
import { z } from 'zod';

export class MachineConfigError extends Error {
  readonly file: string;
  readonly field?: string;

  constructor(file: string, message: string, field?: string) {
    super(`${file}: ${message}`);
    this.name = 'MachineConfigError';
    this.file = file;
    if (field !== undefined) this.field = field;
  }
}

const absolutePath = (platform: NodeJS.Platform) =>
  z
    .string()
    .min(1)
    .max(4096)
    .refine((p) => (platform === 'win32' ? win32 : posix).isAbsolute(p), { message: 'must be an absolute path' });

export function machineConfigSchema(platform: NodeJS.Platform = process.platform) {
  const path = absolutePath(platform);
  // Loose: other parts of the app (exchange server, backup, ...) keep their own fields here.
  return z.looseObject({
    pkcs11Modules: z.array(path).max(32),
    trustAnchors: z.array(path).max(64).optional(), // PEM files of the accepted root CAs
    recoveryCertificate: path.optional(), // PEM file of the organisation's recovery certificate
    idleLockMinutes: z.number().int().min(1).max(1440).optional(),
    // Certificate revocation lists (files or folders of .crl/.pem/.der), besides the crl folder
    // next to this file; read again at every verification, so a CRL IT copies in counts at once.
    crls: z.array(path).max(64).optional(),
    // Folders where a classified electronic copy or register may be saved as a file (an encrypted
    // volume, the agency's secure share); none: classified files are never saved (Thường anywhere).
    outputFolders: z.array(path).max(16).optional(),
    // The agency server this workstation syncs with (docs/server.md): its https address and the CA
    // (PEM file) its certificate must chain to. Absent: the workstation works on its own.
    agencyServer: z.object({ url: z.string().max(2048).regex(/^https:\/\/[^\s/?#]+(\/[^\s?#]*)?$/, 'must be an https address'), ca: path }).strict().optional(),
  });
}

export type MachineConfig = z.infer<ReturnType<typeof machineConfigSchema>>;

export function defaultMachineConfigPath(platform: NodeJS.Platform = process.platform, env = process.env): string {
  if (platform === 'win32') return win32.join(env.ProgramData ?? 'C:\\ProgramData', 'SecureDesk', 'machine.json');
  if (platform === 'darwin') return '/Library/Application Support/SecureDesk/machine.json';
  return '/etc/securedesk/machine.json';
}

/** The parsed configuration, or null when the file does not exist. */
export async function readMachineConfig(
  file: string,
  options: { platform?: NodeJS.Platform; requireProtected?: boolean } = {},
): Promise<MachineConfig | null> {
  const platform = options.platform ?? process.platform;
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new MachineConfigError(file, `cannot be read (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
  }
  if ((options.requireProtected ?? platform !== 'win32') && process.platform !== 'win32') {
    const { mode } = await stat(file);
    if (mode & 0o022) {
      throw new MachineConfigError(file, 'is writable by other users; it names libraries the app will load, so only an administrator may write it (chmod go-w)');
    }
  }
  let json: unknown;
  try {
    json = JSON.parse(text.replace(/^\uFEFF/, '')); // Notepad writes a BOM
  } catch (e) {
    throw new MachineConfigError(file, `is not valid JSON (${(e as Error).message})`);
  }
  const parsed = machineConfigSchema(platform).safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = issue ? fieldName(issue.path) : '(root)';
    const message = (issue?.message ?? 'is invalid').replace(/^Invalid input: /, '');
    const why = message.endsWith('received undefined') ? 'is required' : /^(is|must) /.test(message) ? message : `: ${message}`;
    throw new MachineConfigError(file, `field "${field}"${why.startsWith(':') ? '' : ' '}${why}`, field);
  }
  return parsed.data;
}

/** ["pkcs11Modules", 1] -> "pkcs11Modules[1]" */
function fieldName(path: PropertyKey[]): string {
  return (
    path.map((p, i) => (typeof p === 'number' ? `[${p}]` : `${i === 0 ? '' : '.'}${String(p)}`)).join('') || '(root)'
  );
}

/** File names read as CRLs from a CRL folder. */
const CRL_FILE = /\.(crl|pem|der)$/i;

/** Where IT puts CRLs: the `crl` folder beside the machine configuration, then its `crls` entries. */
export function revocationListSources(configFile: string, config: MachineConfig | null, platform: NodeJS.Platform = process.platform): string[] {
  const p = platform === 'win32' ? win32 : posix;
  return [p.join(p.dirname(configFile), 'crl'), ...(config?.crls ?? [])];
}

/**
 * The bytes of every CRL file in `sources` (each a file, or a folder read one level deep). A source
 * that does not exist is skipped (no CRLs yet is normal); a file that cannot be read is reported.
 * Parsing, and checking each CRL's signature, is the crypto layer's job.
 */
export async function readRevocationLists(sources: readonly string[]): Promise<{ files: Array<{ path: string; bytes: Uint8Array }>; problems: string[] }> {
  const files: Array<{ path: string; bytes: Uint8Array }> = [];
  const problems: string[] = [];
  const readOne = async (file: string) => {
    try {
      files.push({ path: file, bytes: new Uint8Array(await readFile(file)) });
    } catch (e) {
      problems.push(`${file}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
    }
  };
  for (const source of sources) {
    const st = await stat(source).catch(() => null);
    if (!st) continue;
    if (st.isFile()) await readOne(source);
    else if (st.isDirectory()) {
      for (const name of (await readdir(source)).sort()) if (CRL_FILE.test(name)) await readOne(join(source, name));
    }
  }
  return { files, problems };
}

/**
 * The CRL files the machine configuration provides (its crl folder and its `crls`), read now. An
 * unreadable configuration still leaves the crl folder; what could not be read is in `problems`.
 */
export async function machineRevocationLists(configFile: string = defaultMachineConfigPath()): Promise<{ files: Array<{ path: string; bytes: Uint8Array }>; problems: string[] }> {
  let config: MachineConfig | null = null;
  const problems: string[] = [];
  try {
    config = await readMachineConfig(configFile);
  } catch (e) {
    problems.push((e as Error).message);
  }
  const read = await readRevocationLists(revocationListSources(configFile, config));
  return { files: read.files, problems: [...problems, ...read.problems] };
}
