// The message interface between the app (TokenBridge) and the token bridge process.
// Every request and every result has a zod schema: the worker validates what it is asked,
// the client validates what it gets back. Byte strings travel as Uint8Array (the channel uses
// structured-clone serialization, as Electron's utilityProcess does), never as base64 in JSON.
// No schema here ever carries a PIN back to the app.
import { isAbsolute } from 'node:path';
import { z } from 'zod';

export const PROTOCOL_VERSION = 1;

// ---------- shared pieces ----------

const bytes = (max: number) =>
  z.instanceof(Uint8Array).refine((b) => b.byteLength <= max, { message: `at most ${max} bytes` });

/** Absolute path of a PKCS#11 library; the caller gets it from modules/discovery.ts. */
export const ModulePathSchema = z
  .string()
  .min(1)
  .max(4096)
  .refine((p) => isAbsolute(p), { message: 'must be an absolute path' });

/** A token is addressed by its serial (stable across re-plugging) or by the slot id. */
export const SlotRefSchema = z.union([
  z.strictObject({ serial: z.string().min(1).max(64) }),
  // Decimal CK_SLOT_ID as returned by listSlots (CK_ULONG may be 64-bit: a string, not a number).
  z.strictObject({ slotId: z.string().regex(/^\d{1,20}$/) }),
]);
export type SlotRef = z.infer<typeof SlotRefSchema>;

/** CKA_ID as lower-case hex. */
export const KeyIdSchema = z.string().regex(/^(?:[0-9a-f]{2}){1,128}$/, { message: 'must be lower-case hex' });

export const HashSchema = z.enum(['SHA-1', 'SHA-256', 'SHA-384', 'SHA-512']);
export type HashName = z.infer<typeof HashSchema>;

export const SignMechanismSchema = z.discriminatedUnion('alg', [
  // CKM_SHAxxx_RSA_PKCS; falls back to CKM_RSA_PKCS over a DigestInfo built in Node.
  z.strictObject({ alg: z.literal('RSA_PKCS1'), hash: HashSchema }),
  // CKM_SHAxxx_RSA_PKCS_PSS (MGF1 with the same hash); falls back to CKM_RSA_PKCS_PSS over a digest.
  z.strictObject({ alg: z.literal('RSA_PSS'), hash: HashSchema, saltLength: z.number().int().min(0).max(512) }),
  // The bridge hashes in Node and signs the digest with CKM_ECDSA (SoftHSM has no CKM_ECDSA_SHA256);
  // the signature comes back as raw r||s.
  z.strictObject({ alg: z.literal('ECDSA'), hash: HashSchema }),
]);
export type SignMechanism = z.infer<typeof SignMechanismSchema>;

export const DecryptMechanismSchema = z.discriminatedUnion('alg', [
  // Tokens differ in the OAEP parameters they accept (SoftHSM 2.6.1: SHA-1/MGF1-SHA1 only):
  // the caller reads the recipient's parameters and passes them through unchanged.
  z.strictObject({
    alg: z.literal('RSA_OAEP'),
    hash: HashSchema,
    mgfHash: HashSchema,
    label: bytes(1024).optional(),
  }),
  z.strictObject({ alg: z.literal('RSA_PKCS1') }),
]);
export type DecryptMechanism = z.infer<typeof DecryptMechanismSchema>;

// ---------- requests ----------

const moduleOnly = { module: ModulePathSchema };
const inSlot = { module: ModulePathSchema, slot: SlotRefSchema };

export const requestSchemas = {
  info: z.strictObject({ op: z.literal('info'), ...moduleOnly }),
  listSlots: z.strictObject({ op: z.literal('listSlots'), ...moduleOnly }),
  listCertificates: z.strictObject({ op: z.literal('listCertificates'), ...inSlot }),
  getMechanisms: z.strictObject({ op: z.literal('getMechanisms'), ...inSlot }),
  // pin omitted = the token has a PIN pad (protected authentication path): C_Login(NULL).
  login: z.strictObject({ op: z.literal('login'), ...inSlot, pin: z.string().min(1).max(255).optional() }),
  logout: z.strictObject({ op: z.literal('logout'), ...inSlot }),
  sign: z.strictObject({
    op: z.literal('sign'),
    ...inSlot,
    keyId: KeyIdSchema,
    mechanism: SignMechanismSchema,
    data: bytes(1024 * 1024), // CMS signs its signed attributes, a few hundred bytes
  }),
  decrypt: z.strictObject({
    op: z.literal('decrypt'),
    ...inSlot,
    keyId: KeyIdSchema,
    mechanism: DecryptMechanismSchema,
    data: bytes(1024), // one RSA block, up to 8192-bit keys
  }),
  close: z.strictObject({ op: z.literal('close') }),
} as const;

export const RequestSchema = z.discriminatedUnion('op', [
  requestSchemas.info,
  requestSchemas.listSlots,
  requestSchemas.listCertificates,
  requestSchemas.getMechanisms,
  requestSchemas.login,
  requestSchemas.logout,
  requestSchemas.sign,
  requestSchemas.decrypt,
  requestSchemas.close,
]);
export type Request = z.infer<typeof RequestSchema>;
export type Op = Request['op'];
export type RequestOf<O extends Op> = Extract<Request, { op: O }>;

export const RequestEnvelopeSchema = z.strictObject({
  id: z.number().int().nonnegative(),
  request: RequestSchema,
});
export type RequestEnvelope = z.infer<typeof RequestEnvelopeSchema>;

// ---------- results ----------

const version = z.string().regex(/^\d+\.\d+$/);

export const LibraryInfoSchema = z.strictObject({
  module: z.string(),
  cryptokiVersion: version,
  manufacturer: z.string(),
  description: z.string(),
  libraryVersion: version,
});
export type LibraryInfo = z.infer<typeof LibraryInfoSchema>;

/** CK_TOKEN_INFO user/SO PIN flags, decoded so the UI can say "few tries left" / "last try". */
export const PinStatusSchema = z.strictObject({
  countLow: z.boolean(),
  finalTry: z.boolean(),
  locked: z.boolean(),
  toBeChanged: z.boolean(),
});
export type PinStatus = z.infer<typeof PinStatusSchema>;

export const TokenInfoSchema = z.strictObject({
  label: z.string(),
  serial: z.string(),
  manufacturer: z.string(),
  model: z.string(),
  initialized: z.boolean(),
  loginRequired: z.boolean(),
  userPinInitialized: z.boolean(),
  /** CKF_PROTECTED_AUTHENTICATION_PATH: the PIN is typed on the device (PIN pad). */
  pinPad: z.boolean(),
  writeProtected: z.boolean(),
  userPin: PinStatusSchema,
  soPin: PinStatusSchema,
  minPinLength: z.number().int(),
  maxPinLength: z.number().int(),
  flags: z.number().int(),
});
export type TokenInfo = z.infer<typeof TokenInfoSchema>;

export const SlotInfoSchema = z.strictObject({
  slotId: z.string(),
  description: z.string(),
  manufacturer: z.string(),
  removableDevice: z.boolean(),
  hardwareSlot: z.boolean(),
  /** A token is in the slot and answered C_GetTokenInfo. */
  tokenPresent: z.boolean(),
  token: TokenInfoSchema.optional(),
  /** The slot says a token is there but C_GetTokenInfo failed (SoftHSM: CKR_GENERAL_ERROR after removal). */
  tokenError: z.string().optional(),
});
export type SlotInfo = z.infer<typeof SlotInfoSchema>;

export const CertificateEntrySchema = z.strictObject({
  id: z.string(), // CKA_ID hex, the same id as the private key
  label: z.string(),
  der: z.instanceof(Uint8Array),
});
export type CertificateEntry = z.infer<typeof CertificateEntrySchema>;

export const MechanismEntrySchema = z.strictObject({
  type: z.number().int().nonnegative(),
  name: z.string().nullable(),
  minKeySize: z.number().int(),
  maxKeySize: z.number().int(),
  flags: z.number().int(),
  hw: z.boolean(),
  encrypt: z.boolean(),
  decrypt: z.boolean(),
  digest: z.boolean(),
  sign: z.boolean(),
  verify: z.boolean(),
  wrap: z.boolean(),
  unwrap: z.boolean(),
  derive: z.boolean(),
  generateKeyPair: z.boolean(),
});
export type MechanismEntry = z.infer<typeof MechanismEntrySchema>;

export const resultSchemas = {
  info: LibraryInfoSchema,
  listSlots: z.array(SlotInfoSchema),
  listCertificates: z.array(CertificateEntrySchema),
  getMechanisms: z.array(MechanismEntrySchema),
  login: z.strictObject({
    slotId: z.string(),
    serial: z.string(),
    label: z.string(),
    /** The module said CKR_USER_ALREADY_LOGGED_IN; the bridge logged out and checked the PIN again. */
    reverified: z.boolean(),
  }),
  logout: z.strictObject({ wasLoggedIn: z.boolean(), serial: z.string().optional() }),
  sign: z.strictObject({ signature: z.instanceof(Uint8Array), mechanism: z.string() }),
  decrypt: z.strictObject({ plaintext: z.instanceof(Uint8Array), mechanism: z.string() }),
  close: z.strictObject({}),
} as const satisfies Record<Op, z.ZodType>;
export type ResultOf<O extends Op> = z.infer<(typeof resultSchemas)[O]>;

// ---------- errors ----------

export const TOKEN_ERROR_CODES = [
  'BAD_REQUEST', // the request failed its schema; `message` names the fields, never their values
  'MODULE_NOT_FOUND', // no file at the module path
  'NOT_PKCS11', // the file is not a PKCS#11 library (not a shared library, or no C_GetFunctionList)
  'MODULE_LOAD_FAILED', // a library, but it would not load (missing dependency, wrong architecture)
  'MODULE_INIT_FAILED', // C_GetFunctionList or C_Initialize failed
  'SLOT_NOT_FOUND',
  'TOKEN_NOT_PRESENT',
  'TOKEN_NOT_RECOGNIZED',
  'DEVICE_REMOVED',
  'PIN_INCORRECT', // `pin` says whether the count is low / this is the final try
  'PIN_LOCKED',
  'PIN_INVALID', // wrong length or characters for this token
  'PIN_EXPIRED',
  'PIN_REQUIRED', // no PIN given and the token has no PIN pad
  'CANCELLED', // the user cancelled on the PIN pad
  'NOT_LOGGED_IN',
  'SESSION_CLOSED', // the module dropped the session (token re-plugged): log in again
  'KEY_NOT_FOUND',
  'KEY_NOT_USABLE', // wrong key type for the mechanism, or the key may not do this
  'MECHANISM_UNSUPPORTED',
  'MECHANISM_PARAM_INVALID', // e.g. OAEP with a hash this token does not take
  'DATA_INVALID',
  'DEVICE_ERROR',
  'NOT_SUPPORTED',
  'PKCS11_ERROR', // any other CKR_*; `ckr` names it
  'INTERNAL',
  // Raised by the client, never by the worker:
  'BRIDGE_TIMEOUT', // a call took longer than its timeout; the bridge process was killed
  'BRIDGE_CRASHED', // the bridge process died (or was killed for another call); logins are lost
  'BRIDGE_PROTOCOL', // the bridge answered something that fails the result schema
] as const;
export type TokenErrorCode = (typeof TOKEN_ERROR_CODES)[number];

export const TokenErrorPayloadSchema = z.strictObject({
  code: z.enum(TOKEN_ERROR_CODES),
  message: z.string(), // English, for logs; the UI words it per code
  ckr: z.string().optional(),
  pin: PinStatusSchema.optional(),
  /** The bridge dropped its login for this token (removed, session closed): the app must lock. */
  loginLost: z.strictObject({ module: z.string(), serial: z.string() }).optional(),
});
export type TokenErrorPayload = z.infer<typeof TokenErrorPayloadSchema>;

export const ResponseEnvelopeSchema = z.discriminatedUnion('ok', [
  z.strictObject({ id: z.number().int(), ok: z.literal(true), result: z.unknown() }),
  z.strictObject({ id: z.number().int(), ok: z.literal(false), error: TokenErrorPayloadSchema }),
]);
export type ResponseEnvelope = z.infer<typeof ResponseEnvelopeSchema>;

/** The worker's first message: requests are sent (and their timeouts start) only after it. */
export const ReadyMessageSchema = z.strictObject({ ready: z.literal(true), protocol: z.number().int(), pid: z.number().int() });
export type ReadyMessage = z.infer<typeof ReadyMessageSchema>;

export const WorkerMessageSchema = z.union([ReadyMessageSchema, ResponseEnvelopeSchema]);
export type WorkerMessage = z.infer<typeof WorkerMessageSchema>;

// ---------- events emitted by TokenBridge ----------

export interface TokenPresenceEvent {
  module: string;
  slotId: string;
  serial: string;
  label: string;
}

export interface TokenRemovedEvent extends TokenPresenceEvent {
  /** The app had logged in to this token through the bridge; that login is gone. */
  loginLost: boolean;
}

export interface BridgeLostEvent {
  reason: 'crashed' | 'timeout';
  exitCode: number | null;
  signal: string | null;
  /** Tokens that were logged in: their login is gone, the app must lock those sessions. */
  lostLogins: { module: string; serial: string }[];
}

/** Zod issue paths and codes only: a PIN that fails validation is never quoted back. */
export function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 5)
    .map((i) => `${i.path.map(String).join('.') || '(root)'}: ${i.message}`)
    .join('; ');
}
