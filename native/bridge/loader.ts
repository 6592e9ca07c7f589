// Loading a PKCS#11 library into the bridge process: one load and one C_Initialize per library
// per process (a second C_Initialize is an error on most modules), with typed errors that tell a
// missing file from a file that is not a PKCS#11 library.
import { closeSync, openSync, readSync, realpathSync, statSync } from 'node:fs';
import pkcs11js from 'pkcs11js';
import { ckrOf, fromCkr } from './ckr';
import { TokenError } from './errors';

export interface LoadedModule {
  readonly path: string; // as the caller named it
  readonly lib: pkcs11js.PKCS11;
}

const loaded = new Map<string, LoadedModule>(); // by real path: a symlink must not load twice

export function loadedModules(): Iterable<LoadedModule> {
  return loaded.values();
}

export function getModule(path: string): LoadedModule {
  const real = realPath(path);
  const existing = loaded.get(real);
  if (existing) return existing;

  const lib = new pkcs11js.PKCS11();
  try {
    lib.load(real); // dlopen + C_GetFunctionList
  } catch (e) {
    throw classifyLoadFailure(path, real, e);
  }
  try {
    lib.C_Initialize();
  } catch (e) {
    const ckr = ckrOf(e);
    // Someone in this process already initialised it (it cannot be us: we keep one instance).
    if (ckr !== 'CKR_CRYPTOKI_ALREADY_INITIALIZED') {
      throw new TokenError('MODULE_INIT_FAILED', `C_Initialize failed: ${ckr ?? errorText(e)}`, ckr ? { ckr } : {});
    }
  }
  const mod = { path, lib };
  loaded.set(real, mod);
  return mod;
}

/** C_Finalize every module; the process is about to exit. */
export function finalizeAll(): void {
  for (const { lib } of loaded.values()) {
    try {
      lib.C_Finalize();
    } catch {
      /* exiting anyway */
    }
  }
  loaded.clear();
}

function realPath(path: string): string {
  let st;
  try {
    st = statSync(path);
  } catch {
    throw new TokenError('MODULE_NOT_FOUND', `No PKCS#11 module at ${path}`);
  }
  if (!st.isFile()) throw new TokenError('MODULE_NOT_FOUND', `${path} is not a file`);
  return realpathSync(path);
}

function classifyLoadFailure(path: string, real: string, e: unknown): TokenError {
  const text = errorText(e);
  const ckr = ckrOf(e);
  if (ckr) return fromCkr(ckr, `C_GetFunctionList of ${path}`);
  // dlsym found no C_GetFunctionList: a shared library, but not a PKCS#11 one.
  if (/C_GetFunctionList/.test(text)) {
    return new TokenError('NOT_PKCS11', `${path} is a shared library without C_GetFunctionList`);
  }
  if (!looksLikeSharedLibrary(real)) {
    return new TokenError('NOT_PKCS11', `${path} is not a shared library`);
  }
  // A real library that would not load: missing dependency, wrong architecture, ...
  return new TokenError('MODULE_LOAD_FAILED', `Could not load ${path}: ${text}`);
}

/** ELF, PE (MZ) or Mach-O magic: the file at least claims to be a loadable library. */
function looksLikeSharedLibrary(path: string): boolean {
  const head = Buffer.alloc(4);
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
    if (readSync(fd, head, 0, 4, 0) < 4) return false;
  } catch {
    return false;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
  const magic = head.readUInt32BE(0);
  return (
    magic === 0x7f454c46 || // ELF
    head.readUInt16BE(0) === 0x4d5a || // MZ
    [0xfeedface, 0xfeedfacf, 0xcefaedfe, 0xcffaedfe, 0xcafebabe].includes(magic) // Mach-O, fat
  );
}

export function errorText(e: unknown): string {
  return e instanceof Error ? e.message.split('\n')[0] ?? '' : String(e);
}
