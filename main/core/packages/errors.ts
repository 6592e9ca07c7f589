// Why a package was refused: a code for programs and tests, an English message for logs and a
// Vietnamese one for the clerk.
export const PACKAGE_ERROR_CODES = [
  'NEEDS_RECIPIENTS', 'NOTHING_SELECTED', 'FORBIDDEN', 'TOO_LARGE', 'TRUNCATED', 'TAMPERED', 'NOT_A_RECIPIENT', 'NOT_A_PACKAGE',
  'BAD_SIGNATURE', 'HASH_MISMATCH', 'COUNT_MISMATCH', 'UNSAFE_NAME', 'TYPE_MISMATCH', 'UNSAFE_ENTRY',
  'LEVEL_MISMATCH', 'CANCELLED',
] as const;
export type PackageErrorCode = (typeof PACKAGE_ERROR_CODES)[number];

export class PackageError extends Error {
  constructor(readonly code: PackageErrorCode, message: string, readonly messageVi: string) {
    super(message);
    this.name = 'PackageError';
  }
}

export const isPackageError = (e: unknown, code?: PackageErrorCode): e is PackageError =>
  e instanceof PackageError && (code === undefined || e.code === code);
