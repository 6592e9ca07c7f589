// Types of preflight.mjs (plain JavaScript: it runs before node_modules, and so TypeScript tooling, exists).

export interface SystemPackage {
  name: string;
  why: string;
  bins?: string[];
  files?: string[];
  /** A system user the package must leave behind (created by the preflight when the install did not). */
  user?: string;
}
export interface MissingPackage extends SystemPackage {
  /** The programs and files of the package that were not found. */
  absent: string[];
}
export type SystemPlan =
  | { action: 'none' }
  | { action: 'install'; packages: string[]; commands: string[][] }
  | { action: 'stop'; packages: string[]; command: string; message: string };
export interface Stamp {
  lock: string;
  abi: string;
}
export type InstallState =
  | { state: 'ok'; adopt: boolean; want: Stamp }
  | { state: 'absent' | 'stale' | 'shared-stale'; reason: string; want: Stamp };

export const PROJECT_DIR: string;
export const SYSTEM_PACKAGES: SystemPackage[];
export const STAMP: string;
export class PreflightStop extends Error {}
export function findExecutable(name: string, pathEnv: string | undefined): string | null;
export function fileExists(fsRoot: string, path: string): boolean;
export function userExists(name: string): boolean;
export function missingPackages(opts?: { pathEnv?: string | undefined; fsRoot?: string; list?: SystemPackage[] }): MissingPackage[];
export function planSystem(opts: { missing: MissingPackage[]; isRoot: boolean; hasAptGet: boolean; hasSudo: boolean }): SystemPlan;
export function nodeVersionProblem(range: string | undefined, version?: string): string | null;
export function expectedStamp(projectDir: string, abi?: string): Stamp;
export function installState(projectDir: string, abi?: string): InstallState;
export function writeStamp(projectDir: string, stamp: Stamp): void;
export function ensureNodeModules(opts?: { projectDir?: string; log?: (line: string) => void }): void;
export function preflight(opts?: {
  projectDir?: string;
  pathEnv?: string | undefined;
  fsRoot?: string;
  isRoot?: boolean;
  log?: (line: string) => void;
}): string | null;
