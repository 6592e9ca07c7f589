import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);

// main/core/db/dbWorker.ts
import Database4 from "better-sqlite3-multiple-ciphers";
import { parentPort, workerData } from "node:worker_threads";

// main/core/db/keying.ts
import Database from "better-sqlite3-multiple-ciphers";
import { existsSync } from "node:fs";
var HEX_KEY = /^[0-9a-f]{64}$/i;
function assertHexKey(hexKey) {
  if (!HEX_KEY.test(hexKey)) throw new Error("database key must be 32 bytes of hex");
}
function applyKey(db, hexKey, form) {
  assertHexKey(hexKey);
  db.pragma(`cipher='sqlcipher'`);
  db.pragma("legacy=4");
  if (form === "raw") db.pragma(`key="x'${hexKey}'"`);
  else db.pragma(`hexkey='${hexKey}'`);
}
var rekeyMarker = (file) => `${file}.rekey`;
function openKeyed(file, hexKey, opts = {}) {
  assertHexKey(hexKey);
  const order = existsSync(rekeyMarker(file)) ? ["derived", "raw"] : ["raw", "derived"];
  let lastError;
  for (const form of order) {
    const db = new Database(file, { readonly: opts.readonly ?? false, fileMustExist: opts.fileMustExist ?? true });
    try {
      applyKey(db, hexKey, form);
      db.prepare("SELECT count(*) FROM sqlite_master").get();
      return { db, form };
    } catch (err) {
      db.close();
      lastError = err;
      if (err.code !== "SQLITE_NOTADB") break;
    }
  }
  throw lastError;
}

// main/core/db/rekey.ts
import { closeSync, fsyncSync, openSync, rmSync, writeFileSync } from "node:fs";
import { dirname } from "node:path";
function syncDir(path) {
  let fd;
  try {
    fd = openSync(dirname(path), "r");
    fsyncSync(fd);
  } catch {
  } finally {
    if (fd !== void 0) closeSync(fd);
  }
}
function writeMarker(file) {
  const marker = rekeyMarker(file);
  writeFileSync(marker, `rekey to raw key started ${(/* @__PURE__ */ new Date()).toISOString()}
`, { mode: 384 });
  const fd = openSync(marker, "r");
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  syncDir(marker);
}
function removeMarker(file) {
  rmSync(rekeyMarker(file), { force: true });
  syncDir(file);
}
function rekeyToRaw(file, hexKey) {
  const { db, form } = openKeyed(file, hexKey);
  try {
    if (form === "raw") {
      removeMarker(file);
      db.pragma("journal_mode = WAL");
      return "already-raw";
    }
    writeMarker(file);
    let mode;
    try {
      mode = db.pragma("journal_mode = DELETE", { simple: true });
    } catch (err) {
      if (err.code !== "SQLITE_BUSY") throw err;
    }
    if (mode !== "delete") {
      removeMarker(file);
      return "busy";
    }
    try {
      db.pragma(`rekey="x'${hexKey}'"`);
    } catch (err) {
      db.pragma("journal_mode = WAL");
      removeMarker(file);
      throw err;
    }
    removeMarker(file);
    db.pragma("journal_mode = WAL");
    return "rekeyed";
  } finally {
    db.close();
  }
}

// main/core/db/connection.ts
import Database2 from "better-sqlite3-multiple-ciphers";

// main/core/db/statements.ts
var caches = /* @__PURE__ */ new WeakMap();
function cached(db, sql) {
  let cache = caches.get(db);
  if (!cache) caches.set(db, cache = /* @__PURE__ */ new Map());
  let stmt = cache.get(sql);
  if (!stmt) cache.set(sql, stmt = db.prepare(sql));
  return stmt;
}

// main/core/audit/canonical.ts
import { hash as oneShot } from "node:crypto";
var GENESIS = "0".repeat(64);
var wellFormed = (s) => s.replace(new RegExp("\\p{Cs}", "gu"), "\uFFFD");
function canonicalJson(value) {
  if (value === null) return "null";
  switch (typeof value) {
    case "string":
      return JSON.stringify(wellFormed(value));
    case "boolean":
      return JSON.stringify(value);
    case "number":
      if (!Number.isFinite(value)) throw new Error("audit details: a number that JSON cannot hold");
      return JSON.stringify(value);
    case "object": {
      if (Array.isArray(value)) return `[${value.map((v) => v === void 0 ? "null" : canonicalJson(v)).join(",")}]`;
      const obj = value;
      const keys = Object.keys(obj).filter((k) => obj[k] !== void 0).sort();
      return `{${keys.map((k) => `${JSON.stringify(wellFormed(k))}:${canonicalJson(obj[k])}`).join(",")}}`;
    }
    default:
      throw new Error(`audit details: a ${typeof value} cannot be recorded`);
  }
}
var str = (s) => s === null ? "null" : JSON.stringify(s);
var num = (n) => n === null ? "null" : String(n);
function canonicalV2(e) {
  return `{"v":2,"seq":${e.seq},"prev":${JSON.stringify(e.prevHash)},"at":${str(e.at)},"ws":${str(e.workstation)},"actor":${num(e.userId)},"actorGid":${str(e.actorGid)},"action":${str(e.action)},"entity":${str(e.entity)},"entityId":${num(e.entityId)},"entityGid":${str(e.entityGid)},"outcome":${str(e.outcome)},"reason":${str(e.reason)},"details":${e.details}}`;
}
function hashV2(prevHex, canonical) {
  return oneShot("sha256", prevHex + canonical, "hex");
}
function hashV1(e) {
  return oneShot("sha256", [e.prevHash, e.at, e.userId ?? "", e.action, e.entity ?? "", e.entityId ?? "", e.details].join(""), "hex");
}
var sqlStr = (c) => `CASE WHEN ${c} IS NULL THEN 'null' ELSE '"' || ${c} || '"' END`;
var sqlNum = (c) => `coalesce(${c}, 'null')`;
var sqlPlain = `(coalesce(at,'') || coalesce(workstation,'') || coalesce(actor_gid,'') || action || coalesce(entity,'') || coalesce(entity_gid,'') || coalesce(outcome,'') || coalesce(reason,'')) NOT GLOB ?`;
var JSON_ESCAPED_GLOB = `*[${String.fromCharCode(1)}-${String.fromCharCode(31)}"\\]*`;
var HASHED_INPUT_SQL = `CASE WHEN v = 1 THEN prev_hash || char(31) || at || char(31) || coalesce(user_id, '') || char(31) || action || char(31) || coalesce(entity, '') || char(31) || coalesce(entity_id, '') || char(31) || details
    WHEN v = 2 AND ${sqlPlain} THEN prev_hash || '{"v":2,"seq":' || id || ',"prev":"' || prev_hash || '","at":' || ${sqlStr("at")} || ',"ws":' || ${sqlStr("workstation")}
      || ',"actor":' || ${sqlNum("user_id")} || ',"actorGid":' || ${sqlStr("actor_gid")} || ',"action":' || ${sqlStr("action")} || ',"entity":' || ${sqlStr("entity")}
      || ',"entityId":' || ${sqlNum("entity_id")} || ',"entityGid":' || ${sqlStr("entity_gid")} || ',"outcome":' || ${sqlStr("outcome")} || ',"reason":' || ${sqlStr("reason")}
      || ',"details":' || details || '}'
  END`;

// main/core/crypto/oids.ts
var OID = {
  // CMS content types (RFC 5652, RFC 5083)
  data: "1.2.840.113549.1.7.1",
  signedData: "1.2.840.113549.1.7.2",
  envelopedData: "1.2.840.113549.1.7.3",
  authEnvelopedData: "1.2.840.113549.1.9.16.1.23",
  // CMS attributes (RFC 5652, RFC 2634, RFC 5035)
  contentType: "1.2.840.113549.1.9.3",
  messageDigest: "1.2.840.113549.1.9.4",
  signingTime: "1.2.840.113549.1.9.5",
  signingCertificate: "1.2.840.113549.1.9.16.2.12",
  signingCertificateV2: "1.2.840.113549.1.9.16.2.47",
  // RFC 3161: the TSTInfo content type and the signature timestamp unsigned attribute
  tstInfo: "1.2.840.113549.1.9.16.1.4",
  timeStampToken: "1.2.840.113549.1.9.16.2.14",
  // hashes
  sha1: "1.3.14.3.2.26",
  sha256: "2.16.840.1.101.3.4.2.1",
  sha384: "2.16.840.1.101.3.4.2.2",
  sha512: "2.16.840.1.101.3.4.2.3",
  // RSA (RFC 8017, RFC 4055)
  rsaEncryption: "1.2.840.113549.1.1.1",
  rsaesOaep: "1.2.840.113549.1.1.7",
  mgf1: "1.2.840.113549.1.1.8",
  pSpecified: "1.2.840.113549.1.1.9",
  rsassaPss: "1.2.840.113549.1.1.10",
  sha1WithRSAEncryption: "1.2.840.113549.1.1.5",
  sha256WithRSAEncryption: "1.2.840.113549.1.1.11",
  sha384WithRSAEncryption: "1.2.840.113549.1.1.12",
  sha512WithRSAEncryption: "1.2.840.113549.1.1.13",
  // EC (RFC 5480, RFC 5758)
  ecPublicKey: "1.2.840.10045.2.1",
  ecdsaWithSHA1: "1.2.840.10045.4.1",
  ecdsaWithSHA256: "1.2.840.10045.4.3.2",
  ecdsaWithSHA384: "1.2.840.10045.4.3.3",
  ecdsaWithSHA512: "1.2.840.10045.4.3.4",
  secp256r1: "1.2.840.10045.3.1.7",
  secp384r1: "1.3.132.0.34",
  secp521r1: "1.3.132.0.35",
  ed25519: "1.3.101.112",
  // AES (RFC 3565, RFC 5084)
  aes128CBC: "2.16.840.1.101.3.4.1.2",
  aes192CBC: "2.16.840.1.101.3.4.1.22",
  aes256CBC: "2.16.840.1.101.3.4.1.42",
  aes128GCM: "2.16.840.1.101.3.4.1.6",
  aes192GCM: "2.16.840.1.101.3.4.1.26",
  aes256GCM: "2.16.840.1.101.3.4.1.46",
  // X.509 extensions (RFC 5280)
  subjectKeyIdentifier: "2.5.29.14",
  keyUsage: "2.5.29.15",
  subjectAltName: "2.5.29.17",
  basicConstraints: "2.5.29.19",
  crlDistributionPoints: "2.5.29.31",
  certificatePolicies: "2.5.29.32",
  authorityKeyIdentifier: "2.5.29.35",
  extKeyUsage: "2.5.29.37"
};

// main/core/crypto/algorithms.ts
var HASH_OID = { "SHA-1": OID.sha1, "SHA-256": OID.sha256, "SHA-384": OID.sha384, "SHA-512": OID.sha512 };
var RSA_PKCS1_BY_OID = {
  [OID.sha1WithRSAEncryption]: "SHA-1",
  [OID.sha256WithRSAEncryption]: "SHA-256",
  [OID.sha384WithRSAEncryption]: "SHA-384",
  [OID.sha512WithRSAEncryption]: "SHA-512"
};
var ECDSA_BY_OID = {
  [OID.ecdsaWithSHA1]: "SHA-1",
  [OID.ecdsaWithSHA256]: "SHA-256",
  [OID.ecdsaWithSHA384]: "SHA-384",
  [OID.ecdsaWithSHA512]: "SHA-512"
};

// main/core/crypto/certificates.ts
var CURVES = { [OID.secp256r1]: "P-256", [OID.secp384r1]: "P-384", [OID.secp521r1]: "P-521" };
var UNDERSTOOD_CRITICAL = /* @__PURE__ */ new Set([OID.basicConstraints, OID.keyUsage, OID.extKeyUsage, OID.subjectAltName, OID.certificatePolicies, OID.subjectKeyIdentifier, OID.authorityKeyIdentifier, OID.crlDistributionPoints]);

// main/core/crypto/envelope.ts
var CHUNK = 1 << 20;
var PIECE = 64 << 10;
var MAX_RECIPIENT_INFOS = 4 << 20;
var MAX_SMALL_ELEMENT = 64 << 10;
var EOC = Uint8Array.of(0, 0);
var GCM = { [OID.aes128GCM]: ["aes-128-gcm", 16], [OID.aes192GCM]: ["aes-192-gcm", 24], [OID.aes256GCM]: ["aes-256-gcm", 32] };
var CBC = { [OID.aes128CBC]: ["aes-128-cbc", 16], [OID.aes192CBC]: ["aes-192-cbc", 24], [OID.aes256CBC]: ["aes-256-cbc", 32] };

// main/core/db/transaction.ts
function writeTx(db, fn) {
  return db.transaction(fn).immediate();
}

// main/core/profile/settings.ts
function getSetting(db, key) {
  return cached(db, "SELECT value FROM settings WHERE key = ?").pluck().get(key);
}

// main/core/audit/auditLog.ts
var DOCUMENT_ENTITIES = /* @__PURE__ */ new Set(["incoming", "outgoing", "document", "attachment"]);
var FORBIDDEN_DOCUMENT_KEYS = ["subject", "content", "text"];
var ENTITY_TABLES = {
  user: "users",
  incoming: "incoming",
  register: "registers",
  numbering_scope: "numbering_scopes",
  attachment: "attachments",
  unit: "units"
};
var v2Ready = /* @__PURE__ */ new WeakSet();
function hasV2(db) {
  if (v2Ready.has(db)) return true;
  const cols = db.prepare("PRAGMA table_info(audit_log)").all();
  if (!cols.some((c) => c.name === "outcome")) return false;
  v2Ready.add(db);
  return true;
}
function globalIdOf(db, entity, id) {
  if (entity === void 0 || id === void 0 || id === null) return null;
  const table = ENTITY_TABLES[entity];
  if (!table) return null;
  try {
    return cached(db, `SELECT global_id FROM ${table} WHERE id = ?`).pluck().get(id) ?? null;
  } catch {
    return null;
  }
}
function checkAuditDetails(entity, details) {
  if (!details || entity === void 0 || !DOCUMENT_ENTITIES.has(entity)) return;
  for (const k of FORBIDDEN_DOCUMENT_KEYS) {
    if (Object.prototype.hasOwnProperty.call(details, k)) throw new Error(`audit entry of a ${entity} may not carry its ${k}`);
  }
}
var WORKSTATION_SQL = "SELECT value FROM settings WHERE key = 'workstation_id'";
var LAST_SQL = "SELECT id, hash FROM audit_log ORDER BY id DESC LIMIT 1";
var INSERT_V2_SQL = `INSERT INTO audit_log (id, v, at, workstation, user_id, actor_gid, action, entity, entity_id, entity_gid, outcome, reason, details, prev_hash, hash)
     VALUES (?,2,?,?,?,?,?,?,?,?,?,?,?,?,?)`;
function appendAudit(db, entry, at = (/* @__PURE__ */ new Date()).toISOString()) {
  checkAuditDetails(entry.entity, entry.details);
  const details = canonicalJson(entry.details ?? {});
  const last = cached(db, LAST_SQL).get();
  const prev = last?.hash ?? GENESIS;
  if (!hasV2(db)) {
    const hash = hashV1({ prevHash: prev, at, userId: entry.userId, action: entry.action, entity: entry.entity ?? null, entityId: entry.entityId ?? null, details });
    db.prepare("INSERT INTO audit_log (at, user_id, action, entity, entity_id, details, prev_hash, hash) VALUES (?,?,?,?,?,?,?,?)").run(at, entry.userId, entry.action, entry.entity ?? null, entry.entityId ?? null, details, prev, hash);
    return;
  }
  const e = {
    seq: (last?.id ?? 0) + 1,
    v: 2,
    at: new Date(at).toISOString(),
    // always UTC with milliseconds
    workstation: cached(db, WORKSTATION_SQL).pluck().get() ?? null,
    userId: entry.userId,
    actorGid: globalIdOf(db, "user", entry.userId),
    action: wellFormed(entry.action),
    entity: entry.entity === void 0 ? null : wellFormed(entry.entity),
    entityId: entry.entityId ?? null,
    entityGid: entry.entityGid === void 0 ? globalIdOf(db, entry.entity, entry.entityId) : wellFormed(entry.entityGid),
    outcome: entry.outcome ?? "ok",
    reason: entry.reason === void 0 ? null : wellFormed(entry.reason),
    details,
    prevHash: prev,
    hash: ""
  };
  e.hash = hashV2(prev, canonicalV2(e));
  cached(db, INSERT_V2_SQL).run(e.seq, e.at, e.workstation, e.userId, e.actorGid, e.action, e.entity, e.entityId, e.entityGid, e.outcome, e.reason, e.details, e.prevHash, e.hash);
}

// node_modules/uuid/dist/esm/stringify.js
var byteToHex = [];
for (let i = 0; i < 256; ++i) {
  byteToHex.push((i + 256).toString(16).slice(1));
}
function unsafeStringify(arr, offset = 0) {
  return (byteToHex[arr[offset + 0]] + byteToHex[arr[offset + 1]] + byteToHex[arr[offset + 2]] + byteToHex[arr[offset + 3]] + "-" + byteToHex[arr[offset + 4]] + byteToHex[arr[offset + 5]] + "-" + byteToHex[arr[offset + 6]] + byteToHex[arr[offset + 7]] + "-" + byteToHex[arr[offset + 8]] + byteToHex[arr[offset + 9]] + "-" + byteToHex[arr[offset + 10]] + byteToHex[arr[offset + 11]] + byteToHex[arr[offset + 12]] + byteToHex[arr[offset + 13]] + byteToHex[arr[offset + 14]] + byteToHex[arr[offset + 15]]).toLowerCase();
}

// node_modules/uuid/dist/esm/rng.js
import { randomFillSync } from "crypto";
var rnds8Pool = new Uint8Array(256);
var poolPtr = rnds8Pool.length;
function rng() {
  if (poolPtr > rnds8Pool.length - 16) {
    randomFillSync(rnds8Pool);
    poolPtr = 0;
  }
  return rnds8Pool.slice(poolPtr, poolPtr += 16);
}

// node_modules/uuid/dist/esm/v7.js
var _state = {};
function v7(options, buf, offset) {
  let bytes;
  if (options) {
    bytes = v7Bytes(options.random ?? options.rng?.() ?? rng(), options.msecs, options.seq, buf, offset);
  } else {
    const now = Date.now();
    const rnds = rng();
    updateV7State(_state, now, rnds);
    bytes = v7Bytes(rnds, _state.msecs, _state.seq, buf, offset);
  }
  return buf ?? unsafeStringify(bytes);
}
function updateV7State(state, now, rnds) {
  state.msecs ??= -Infinity;
  state.seq ??= 0;
  if (now > state.msecs) {
    state.seq = rnds[6] << 23 | rnds[7] << 16 | rnds[8] << 8 | rnds[9];
    state.msecs = now;
  } else {
    state.seq = state.seq + 1 | 0;
    if (state.seq === 0) {
      state.msecs++;
    }
  }
  return state;
}
function v7Bytes(rnds, msecs, seq2, buf, offset = 0) {
  if (rnds.length < 16) {
    throw new Error("Random bytes length must be >= 16");
  }
  if (!buf) {
    buf = new Uint8Array(16);
    offset = 0;
  } else {
    if (offset < 0 || offset + 16 > buf.length) {
      throw new RangeError(`UUID byte range ${offset}:${offset + 15} is out of buffer bounds`);
    }
  }
  msecs ??= Date.now();
  seq2 ??= rnds[6] * 127 << 24 | rnds[7] << 16 | rnds[8] << 8 | rnds[9];
  buf[offset++] = msecs / 1099511627776 & 255;
  buf[offset++] = msecs / 4294967296 & 255;
  buf[offset++] = msecs / 16777216 & 255;
  buf[offset++] = msecs / 65536 & 255;
  buf[offset++] = msecs / 256 & 255;
  buf[offset++] = msecs & 255;
  buf[offset++] = 112 | seq2 >>> 28 & 15;
  buf[offset++] = seq2 >>> 20 & 255;
  buf[offset++] = 128 | seq2 >>> 14 & 63;
  buf[offset++] = seq2 >>> 6 & 255;
  buf[offset++] = seq2 << 2 & 255 | rnds[10] & 3;
  buf[offset++] = rnds[11];
  buf[offset++] = rnds[12];
  buf[offset++] = rnds[13];
  buf[offset++] = rnds[14];
  buf[offset++] = rnds[15];
  return buf;
}
var v7_default = v7;

// main/core/events/globalId.ts
var newGlobalId = () => v7_default();

// main/core/events/eventLog.ts
var LOCAL_ONLY = /* @__PURE__ */ new Set(["id"]);
function encodeValue(v) {
  return Buffer.isBuffer(v) ? { $base64: v.toString("base64") } : v;
}
function globalIdOf2(db, table, localId, schema = "main") {
  const gid = cached(db, `SELECT global_id FROM ${schema}.${table} WHERE rowid = ?`).pluck().get(localId);
  if (gid === void 0) throw new Error(`no ${table} row ${localId}`);
  if (gid) return gid;
  const fresh = newGlobalId();
  cached(db, `UPDATE ${schema}.${table} SET global_id = ? WHERE rowid = ?`).run(fresh, localId);
  return fresh;
}
function recordChange(db, table, localId, kind, actorUserId, at, schema = "main") {
  const gid = globalIdOf2(db, table, localId, schema);
  let data = {};
  if (kind !== "delete") {
    const row = cached(db, `SELECT * FROM ${schema}.${table} WHERE rowid = ?`).get(localId);
    data = Object.fromEntries(Object.entries(row).filter(([k]) => !LOCAL_ONLY.has(k)).map(([k, v]) => [k, encodeValue(v)]));
  }
  const actor = actorUserId === null ? null : globalIdOf2(db, "users", actorUserId, "main");
  cached(db, `INSERT INTO ${schema}.events (id, at, origin, actor, entity, entity_id, kind, data) VALUES (?,?,?,?,?,?,?,?)`).run(
    newGlobalId(),
    at.toISOString(),
    workstationId(db),
    actor,
    table,
    gid,
    kind,
    JSON.stringify(data)
  );
  return gid;
}
function workstationId(db) {
  const id = getSetting(db, "workstation_id");
  if (!id) throw new Error("workstation id missing (migration not applied)");
  return id;
}

// common/domain.ts
var SECRECY_LEVELS = ["thuong", "mat", "toi_mat", "tuyet_mat"];
var secrecyRank = (s) => SECRECY_LEVELS.indexOf(s);
var both = (code) => ({ state: [code], party: [code] });
var DOCUMENT_TYPES = [
  // Legal normative documents (Luật Ban hành văn bản quy phạm pháp luật).
  { code: "Hi\u1EBFn ph\xE1p", name: "Hi\u1EBFn ph\xE1p", group: "legal" },
  { code: "B\u1ED9 lu\u1EADt", name: "B\u1ED9 lu\u1EADt", group: "legal" },
  { code: "Lu\u1EADt", name: "Lu\u1EADt", group: "legal" },
  { code: "Ph\xE1p l\u1EC7nh", name: "Ph\xE1p l\u1EC7nh", group: "legal" },
  { code: "L", name: "L\u1EC7nh", group: "legal", symbols: { state: ["L"] } },
  { code: "N\u0110", name: "Ngh\u1ECB \u0111\u1ECBnh", group: "legal", symbols: { state: ["N\u0110"] } },
  { code: "TT", name: "Th\xF4ng t\u01B0", group: "legal", symbols: { state: ["TT"] } },
  { code: "TTLT", name: "Th\xF4ng t\u01B0 li\xEAn t\u1ECBch", group: "legal", symbols: { state: ["TTLT"] } },
  { code: "NQLT", name: "Ngh\u1ECB quy\u1EBFt li\xEAn t\u1ECBch", group: "legal", symbols: { state: ["NQLT"] } },
  // Administrative documents (NĐ 30/2020 Appendix III), most of them also party types.
  { code: "NQ", name: "Ngh\u1ECB quy\u1EBFt", group: "administrative", symbols: both("NQ") },
  { code: "Q\u0110", name: "Quy\u1EBFt \u0111\u1ECBnh", group: "administrative", symbols: both("Q\u0110") },
  { code: "CT", name: "Ch\u1EC9 th\u1ECB", group: "administrative", symbols: both("CT") },
  { code: "QC", name: "Quy ch\u1EBF", group: "administrative", symbols: both("QC") },
  { code: "Qy\u0110", name: "Quy \u0111\u1ECBnh", group: "administrative", symbols: { state: ["Qy\u0110"], party: ["Q\u0110i", "Qy\u0110"] } },
  { code: "TC", name: "Th\xF4ng c\xE1o", group: "administrative", symbols: both("TC") },
  { code: "TB", name: "Th\xF4ng b\xE1o", group: "administrative", symbols: both("TB") },
  { code: "HD", name: "H\u01B0\u1EDBng d\u1EABn", group: "administrative", symbols: both("HD") },
  { code: "CTr", name: "Ch\u01B0\u01A1ng tr\xECnh", group: "administrative", symbols: both("CTr") },
  { code: "KH", name: "K\u1EBF ho\u1EA1ch", group: "administrative", symbols: both("KH") },
  { code: "PA", name: "Ph\u01B0\u01A1ng \xE1n", group: "administrative", symbols: both("PA") },
  { code: "\u0110A", name: "\u0110\u1EC1 \xE1n", group: "administrative", symbols: both("\u0110A") },
  { code: "DA", name: "D\u1EF1 \xE1n", group: "administrative", symbols: both("DA") },
  { code: "BC", name: "B\xE1o c\xE1o", group: "administrative", symbols: both("BC") },
  { code: "BB", name: "Bi\xEAn b\u1EA3n", group: "administrative", symbols: both("BB") },
  { code: "TTr", name: "T\u1EDD tr\xECnh", group: "administrative", symbols: both("TTr") },
  { code: "H\u0110", name: "H\u1EE3p \u0111\u1ED3ng", group: "administrative", symbols: both("H\u0110") },
  { code: "C\u0110", name: "C\xF4ng \u0111i\u1EC7n", group: "administrative", symbols: both("C\u0110") },
  { code: "BGN", name: "B\u1EA3n ghi nh\u1EDB", group: "administrative", symbols: both("BGN") },
  { code: "BTT", name: "B\u1EA3n th\u1ECFa thu\u1EADn", group: "administrative", symbols: both("BTT") },
  { code: "GUQ", name: "Gi\u1EA5y \u1EE7y quy\u1EC1n", group: "administrative", symbols: both("GUQ") },
  { code: "GM", name: "Gi\u1EA5y m\u1EDDi", group: "administrative", symbols: both("GM") },
  { code: "GGT", name: "Gi\u1EA5y gi\u1EDBi thi\u1EC7u", group: "administrative", symbols: both("GGT") },
  { code: "GNP", name: "Gi\u1EA5y ngh\u1EC9 ph\xE9p", group: "administrative", symbols: both("GNP") },
  { code: "PG", name: "Phi\u1EBFu g\u1EEDi", group: "administrative", symbols: both("PG") },
  { code: "PC", name: "Phi\u1EBFu chuy\u1EC3n", group: "administrative", symbols: both("PC") },
  { code: "PB", name: "Phi\u1EBFu b\xE1o", group: "administrative", symbols: both("PB") },
  { code: "CV", name: "C\xF4ng v\u0103n", group: "administrative", symbols: { party: ["CV"] } },
  // Party types (Quy định 66-QĐ/TW, Hướng dẫn 36-HD/VPTW) not listed above.
  { code: "KL", name: "K\u1EBFt lu\u1EADn", group: "party", symbols: { party: ["KL"] } },
  { code: "Th\xF4ng tri", name: "Th\xF4ng tri", group: "party", symbols: { party: ["TT"] } },
  { code: "C\u01B0\u01A1ng l\u0129nh", name: "C\u01B0\u01A1ng l\u0129nh", group: "party" },
  { code: "\u0110i\u1EC1u l\u1EC7", name: "\u0110i\u1EC1u l\u1EC7", group: "party" },
  { code: "Chi\u1EBFn l\u01B0\u1EE3c", name: "Chi\u1EBFn l\u01B0\u1EE3c", group: "party" },
  { code: "Tuy\xEAn b\u1ED1", name: "Tuy\xEAn b\u1ED1", group: "party" },
  { code: "L\u1EDDi k\xEAu g\u1ECDi", name: "L\u1EDDi k\xEAu g\u1ECDi", group: "party" },
  { code: "Quy ho\u1EA1ch", name: "Quy ho\u1EA1ch", group: "party" },
  // Copies carry their own number and symbol (NĐ 30/2020: 12/SY-VP).
  { code: "SY", name: "B\u1EA3n sao y", group: "copy", symbols: both("SY") },
  { code: "TrS", name: "B\u1EA3n tr\xEDch sao", group: "copy", symbols: both("TrS") },
  { code: "SL", name: "B\u1EA3n sao l\u1EE5c", group: "copy", symbols: both("SL") }
];
var DOCUMENT_TYPE_CODES = DOCUMENT_TYPES.map((t) => t.code);
var ENTRIES = DOCUMENT_TYPES;
var TYPE_BY_CODE = new Map(ENTRIES.map((t) => [t.code, t]));
var nameKey = (s) => s.normalize("NFC").trim().replace(/\s+/g, " ").toLocaleLowerCase("vi");
var TYPE_BY_NAME = new Map(ENTRIES.map((t) => [nameKey(t.name), t]));
function documentTypeForSymbol(symbolCode, form) {
  return SYMBOL_TYPES[form].get(symbolCode) ?? SYMBOL_TYPES[form === "state" ? "party" : "state"].get(symbolCode);
}
var symbolTypes = (form) => new Map(ENTRIES.flatMap((t) => (t.symbols?.[form] ?? []).map((code) => [code, t.code])));
var SYMBOL_TYPES = { state: symbolTypes("state"), party: symbolTypes("party") };
var documentTypeByName = (name) => TYPE_BY_NAME.get(nameKey(name))?.code;

// common/vietnamese.ts
var COMBINING_MARKS = /[\u0300-\u036f]/g;
var D_LETTERS = /[đĐÐðƉɖ]/g;
function foldVietnamese(text) {
  return text.normalize("NFD").replace(COMBINING_MARKS, "").replace(D_LETTERS, "d").toLowerCase();
}
var I_Y_SYLLABLE = /^(b|c|ch|d|g|gh|h|k|kh|l|m|n|ng|ngh|nh|p|ph|qu|r|s|t|th|tr|v|x)y$/;
var WORD_CACHE = /* @__PURE__ */ new Map();
var WORD_CACHE_MAX = 5e4;
var NON_WORD = /[^\p{L}\p{N}]+/u;
var NON_WORD_ASCII = /[^a-z0-9]+/;
var ASCII_ONLY = /^[\x00-\x7f]*$/;
function foldWord(word) {
  let folded = WORD_CACHE.get(word);
  if (folded !== void 0) return folded;
  if (/^\d+$/.test(word)) folded = word.replace(/^0+(?=\d)/, "");
  else folded = I_Y_SYLLABLE.test(word) ? `${word.slice(0, -1)}i` : word;
  if (WORD_CACHE.size >= WORD_CACHE_MAX) WORD_CACHE.clear();
  WORD_CACHE.set(word, folded);
  return folded;
}
function searchTokens(text) {
  const out = [];
  for (const w of splitFolded(foldVietnamese(text))) if (w.length > 0) out.push(foldWord(w));
  return out;
}
var splitFolded = (folded) => folded.split(ASCII_ONLY.test(folded) ? NON_WORD_ASCII : NON_WORD);
var foldedWords = (folded) => splitFolded(folded).filter((w) => w.length > 0);

// common/messages.ts
var LABELS_VI = {
  unitName: "t\xEAn c\u01A1 quan",
  unitCode: "m\xE3 \u0111\u1ECBnh danh",
  fullName: "h\u1ECD v\xE0 t\xEAn",
  position: "ch\u1EE9c v\u1EE5",
  issuer: "c\u01A1 quan ban h\xE0nh",
  documentDate: "ng\xE0y v\u0103n b\u1EA3n",
  arrivalDate: "ng\xE0y \u0111\u1EBFn",
  deadline: "h\u1EA1n x\u1EED l\xFD",
  subject: "tr\xEDch y\u1EBFu",
  pin: "m\xE3 PIN",
  numberSymbol: "s\u1ED1, k\xFD hi\u1EC7u",
  pageCount: "s\u1ED1 trang",
  copyCount: "s\u1ED1 b\u1EA3n",
  handedOn: "ng\xE0y chuy\u1EC3n",
  termStart: "ng\xE0y b\u1EAFt \u0111\u1EA7u nhi\u1EC7m k\u1EF3",
  periodFrom: "t\u1EEB ng\xE0y",
  protectionUntil: "th\u1EDDi h\u1EA1n b\u1EA3o v\u1EC7",
  periodTo: "\u0111\u1EBFn ng\xE0y",
  decidedOn: "ng\xE0y quy\u1EBFt \u0111\u1ECBnh",
  effectiveOn: "ng\xE0y hi\u1EC7u l\u1EF1c",
  validFrom: "ng\xE0y b\u1EAFt \u0111\u1EA7u",
  validTo: "ng\xE0y k\u1EBFt th\xFAc",
  closedOn: "ng\xE0y \u0111\xF3ng h\u1ED3 s\u01A1",
  transferredOn: "ng\xE0y giao n\u1ED9p"
};
var MESSAGES_VI = {
  // Transport and the router
  "request.invalid": "Y\xEAu c\u1EA7u kh\xF4ng h\u1EE3p l\u1EC7.",
  "input.invalid": "D\u1EEF li\u1EC7u kh\xF4ng h\u1EE3p l\u1EC7.",
  "input.badBody": "D\u1EEF li\u1EC7u g\u1EEDi l\xEAn kh\xF4ng h\u1EE3p l\u1EC7.",
  internal: "\u0110\xE3 x\u1EA3y ra l\u1ED7i kh\xF4ng mong mu\u1ED1n. Thao t\xE1c ch\u01B0a \u0111\u01B0\u1EE3c th\u1EF1c hi\u1EC7n; chi ti\u1EBFt \u0111\xE3 \u0111\u01B0\u1EE3c ghi v\xE0o nh\u1EADt k\xFD.",
  "internal.short": "\u0110\xE3 x\u1EA3y ra l\u1ED7i kh\xF4ng mong mu\u1ED1n.",
  "transport.badResponse": "Ph\u1EA3n h\u1ED3i kh\xF4ng h\u1EE3p l\u1EC7 t\u1EEB m\xE1y ch\u1EE7 c\u1EE5c b\u1ED9.",
  "transport.lost": "M\u1EA5t k\u1EBFt n\u1ED1i t\u1EDBi ti\u1EBFn tr\xECnh ch\xEDnh c\u1EE7a \u1EE9ng d\u1EE5ng.",
  "transport.unauthorized": "Phi\xEAn l\xE0m vi\u1EC7c kh\xF4ng h\u1EE3p l\u1EC7. H\xE3y m\u1EDF l\u1EA1i \u1EE9ng d\u1EE5ng t\u1EEB \u0111\u1ECBa ch\u1EC9 \u0111\u01B0\u1EE3c c\u1EA5p.",
  "transport.refused": "Ti\u1EBFn tr\xECnh ch\xEDnh t\u1EEB ch\u1ED1i y\xEAu c\u1EA7u (HTTP {{status}}).",
  "transport.failed": "Kh\xF4ng li\xEAn l\u1EA1c \u0111\u01B0\u1EE3c v\u1EDBi ti\u1EBFn tr\xECnh ch\xEDnh c\u1EE7a \u1EE9ng d\u1EE5ng. H\xE3y th\u1EED l\u1EA1i; n\u1EBFu l\u1ED7i l\u1EB7p l\u1EA1i, h\xE3y kh\u1EDFi \u0111\u1ED9ng l\u1EA1i SecureDesk.",
  "stage.failed": "Kh\xF4ng l\u01B0u \u0111\u01B0\u1EE3c t\u1EC7p. Chi ti\u1EBFt \u0111\xE3 \u0111\u01B0\u1EE3c ghi v\xE0o nh\u1EADt k\xFD.",
  // Values of the wrong shape (zod's own issues, see common/schemas.ts)
  "value.invalid": "Gi\xE1 tr\u1ECB kh\xF4ng h\u1EE3p l\u1EC7.",
  "value.tooShort": "C\u1EA7n \xEDt nh\u1EA5t {{min}} k\xFD t\u1EF1.",
  "value.tooLong": "T\u1ED1i \u0111a {{max}} k\xFD t\u1EF1.",
  "value.tooSmall": "Gi\xE1 tr\u1ECB nh\u1ECF nh\u1EA5t l\xE0 {{min}}.",
  "value.tooBig": "Gi\xE1 tr\u1ECB l\u1EDBn nh\u1EA5t l\xE0 {{max}}.",
  "value.tooFew": "C\u1EA7n \xEDt nh\u1EA5t {{min}} m\u1EE5c.",
  "value.tooMany": "T\u1ED1i \u0111a {{max}} m\u1EE5c.",
  "value.unknownKey": "C\xF3 tr\u01B0\u1EDDng d\u1EEF li\u1EC7u kh\xF4ng \u0111\u01B0\u1EE3c ph\xE9p.",
  // Form fields
  "field.required": "Ch\u01B0a nh\u1EADp {{field}}.",
  "date.invalid": "{{Field}} kh\xF4ng ph\u1EA3i ng\xE0y h\u1EE3p l\u1EC7 (dd/mm/yyyy).",
  "secrecy.invalid": "\u0110\u1ED9 m\u1EADt kh\xF4ng h\u1EE3p l\u1EC7.",
  "urgency.invalid": "\u0110\u1ED9 kh\u1EA9n kh\xF4ng h\u1EE3p l\u1EC7.",
  "role.invalid": "Vai tr\xF2 kh\xF4ng h\u1EE3p l\u1EC7.",
  "preset.required": "Ch\u1ECDn quy t\u1EAFc \u0111\xE1nh s\u1ED1.",
  "docType.required": "Ch\u1ECDn lo\u1EA1i v\u0103n b\u1EA3n.",
  "subject.tooLong": "Tr\xEDch y\u1EBFu d\xE0i t\u1ED1i \u0111a {{max}} k\xFD t\u1EF1.",
  "subject.tuyetMat": "V\u0103n b\u1EA3n Tuy\u1EC7t m\u1EADt \u0111\u01B0\u1EE3c v\xE0o s\u1ED5 kh\xF4ng ghi tr\xEDch y\u1EBFu.",
  "recipients.tooMany": "T\u1ED1i \u0111a {{max}} n\u01A1i nh\u1EADn.",
  "notes.tooLong": "Ghi ch\xFA d\xE0i t\u1ED1i \u0111a {{max}} k\xFD t\u1EF1.",
  "attachments.invalid": "T\u1EC7p \u0111\xEDnh k\xE8m kh\xF4ng h\u1EE3p l\u1EC7.",
  "attachments.required": "C\u1EA7n \xEDt nh\u1EA5t m\u1ED9t t\u1EC7p \u0111\xEDnh k\xE8m (b\u1EA3n \u0111i\u1EC7n t\u1EED c\u1EE7a v\u0103n b\u1EA3n).",
  "attachments.tooMany": "T\u1ED1i \u0111a {{max}} t\u1EC7p \u0111\xEDnh k\xE8m.",
  "deadline.beforeDocument": "H\u1EA1n x\u1EED l\xFD kh\xF4ng \u0111\u01B0\u1EE3c tr\u01B0\u1EDBc ng\xE0y v\u0103n b\u1EA3n.",
  "arrival.beforeDocument": "Ng\xE0y \u0111\u1EBFn kh\xF4ng \u0111\u01B0\u1EE3c tr\u01B0\u1EDBc ng\xE0y v\u0103n b\u1EA3n.",
  "documentDate.afterArrival": "Ng\xE0y v\u0103n b\u1EA3n kh\xF4ng \u0111\u01B0\u1EE3c sau ng\xE0y \u0111\u1EBFn.",
  "pin.tooShort": "M\xE3 PIN c\xF3 \xEDt nh\u1EA5t {{min}} k\xFD t\u1EF1.",
  "pin.tooLong": "M\xE3 PIN d\xE0i t\u1ED1i \u0111a {{max}} k\xFD t\u1EF1.",
  "unitCode.tooLong": "M\xE3 \u0111\u1ECBnh danh d\xE0i t\u1ED1i \u0111a {{max}} k\xFD t\u1EF1.",
  "unitCode.groups": "M\xE3 \u0111\u1ECBnh danh g\u1ED3m c\xE1c nh\xF3m ng\u0103n c\xE1ch b\u1EB1ng d\u1EA5u ch\u1EA5m, v\xED d\u1EE5 000.00.00.H49.",
  "unitCode.emptyGroup": "M\xE3 \u0111\u1ECBnh danh c\xF3 nh\xF3m r\u1ED7ng (hai d\u1EA5u ch\u1EA5m li\u1EC1n nhau ho\u1EB7c d\u1EA5u ch\u1EA5m \u1EDF \u0111\u1EA7u/cu\u1ED1i).",
  "unitCode.chars": "M\xE3 \u0111\u1ECBnh danh ch\u1EC9 g\u1ED3m ch\u1EEF s\u1ED1 0-9, ch\u1EEF c\xE1i A-Z v\xE0 d\u1EA5u ch\u1EA5m.",
  "unitCode.level1": "Nh\xF3m cu\u1ED1i (c\u01A1 quan c\u1EA5p 1) ph\u1EA3i b\u1EAFt \u0111\u1EA7u b\u1EB1ng m\u1ED9t ch\u1EEF c\xE1i r\u1ED3i \u0111\u1EBFn ch\u1EEF s\u1ED1, v\xED d\u1EE5 H49, G22.",
  "unitCode.lower": "C\xE1c nh\xF3m c\u1EA5p d\u01B0\u1EDBi c\u1EE7a m\xE3 \u0111\u1ECBnh danh ch\u1EC9 g\u1ED3m ch\u1EEF s\u1ED1.",
  "unitCode.invalid": "M\xE3 \u0111\u1ECBnh danh kh\xF4ng h\u1EE3p l\u1EC7.",
  "symbol.tooLong": "S\u1ED1, k\xFD hi\u1EC7u d\xE0i t\u1ED1i \u0111a {{max}} k\xFD t\u1EF1.",
  "symbol.noNumber": "S\u1ED1, k\xFD hi\u1EC7u ph\u1EA3i b\u1EAFt \u0111\u1EA7u b\u1EB1ng s\u1ED1, v\xED d\u1EE5 15/Q\u0110-UBND ho\u1EB7c 27-Q\u0110/TW.",
  "symbol.noNotation": "Thi\u1EBFu k\xFD hi\u1EC7u sau s\u1ED1, v\xED d\u1EE5 15/Q\u0110-UBND ho\u1EB7c 27-Q\u0110/TW.",
  "symbol.digitsOnly": "{{text}} ch\u1EC9 c\xF3 ch\u1EEF s\u1ED1: thi\u1EBFu k\xFD hi\u1EC7u (lo\u1EA1i v\u0103n b\u1EA3n, c\u01A1 quan ban h\xE0nh), v\xED d\u1EE5 15/Q\u0110-UBND ho\u1EB7c 27-Q\u0110/TW.",
  "symbol.date": "{{text}} l\xE0 m\u1ED9t ng\xE0y, kh\xF4ng ph\u1EA3i s\u1ED1, k\xFD hi\u1EC7u. Ng\xE0y ghi \u1EDF \xF4 Ng\xE0y v\u0103n b\u1EA3n.",
  "symbol.badCharacter": "S\u1ED1, k\xFD hi\u1EC7u kh\xF4ng ch\u1EE9a k\xFD t\u1EF1 \u201C{{char}}\u201D.",
  "symbol.numberTooLong": "S\u1ED1 v\u0103n b\u1EA3n d\xE0i t\u1ED1i \u0111a 7 ch\u1EEF s\u1ED1.",
  "symbol.zero": "S\u1ED1 v\u0103n b\u1EA3n b\u1EAFt \u0111\u1EA7u t\u1EEB 1, kh\xF4ng c\xF3 s\u1ED1 0.",
  // Session, rights, the profile
  "session.ended": "Phi\xEAn l\xE0m vi\u1EC7c \u0111\xE3 k\u1EBFt th\xFAc. Vui l\xF2ng \u0111\u0103ng nh\u1EADp l\u1EA1i.",
  "session.locked": "M\xE1y tr\u1EA1m \u0111ang kh\xF3a. C\u1EAFm thi\u1EBFt b\u1ECB k\xFD s\u1ED1 v\xE0 nh\u1EADp m\xE3 PIN \u0111\u1EC3 m\u1EDF.",
  "rights.forbidden": "B\u1EA1n kh\xF4ng c\xF3 quy\u1EC1n th\u1EF1c hi\u1EC7n thao t\xE1c n\xE0y.",
  "rights.clearance": "\u0110\u1ED9 m\u1EADt v\u01B0\u1EE3t qu\xE1 m\u1EE9c \u0111\u01B0\u1EE3c ph\xE9p ti\u1EBFp c\u1EADn c\u1EE7a b\u1EA1n.",
  "profile.readOnly": "C\u01A1 s\u1EDF d\u1EEF li\u1EC7u b\u1ECB h\u1ECFng n\xEAn \u0111ang m\u1EDF \u1EDF ch\u1EBF \u0111\u1ED9 ch\u1EC9 \u0111\u1ECDc. Kh\xF4ng th\u1EC3 ghi d\u1EEF li\u1EC7u; h\xE3y li\xEAn h\u1EC7 qu\u1EA3n tr\u1ECB \u0111\u1EC3 kh\xF4i ph\u1EE5c t\u1EEB b\u1EA3n sao l\u01B0u.",
  "profile.damaged": "C\u01A1 s\u1EDF d\u1EEF li\u1EC7u c\u1EE7a m\xE1y tr\u1EA1m b\u1ECB h\u1ECFng. \u1EE8ng d\u1EE5ng ch\u1EC9 m\u1EDF \u1EDF ch\u1EBF \u0111\u1ED9 ch\u1EC9 \u0111\u1ECDc v\xE0 kh\xF4ng ghi g\xEC th\xEAm. H\xE3y b\xE1o qu\u1EA3n tr\u1ECB \u0111\u1EC3 kh\xF4i ph\u1EE5c t\u1EEB b\u1EA3n sao l\u01B0u.",
  "profile.damagedOnUnlock": "C\u01A1 s\u1EDF d\u1EEF li\u1EC7u c\u1EE7a m\xE1y tr\u1EA1m b\u1ECB h\u1ECFng n\xEAn \u0111ang m\u1EDF \u1EDF ch\u1EBF \u0111\u1ED9 ch\u1EC9 \u0111\u1ECDc. H\xE3y b\xE1o qu\u1EA3n tr\u1ECB \u0111\u1EC3 kh\xF4i ph\u1EE5c t\u1EEB b\u1EA3n sao l\u01B0u.",
  "profile.bindRequired": "D\u1EEF li\u1EC7u m\xE1y tr\u1EA1m n\xE0y \u0111\u01B0\u1EE3c t\u1EA1o tr\u01B0\u1EDBc khi d\xF9ng thi\u1EBFt b\u1ECB k\xFD s\u1ED1. Ch\u1ECDn ng\u01B0\u1EDDi d\xF9ng c\u1EE7a b\u1EA1n \u0111\u1EC3 g\u1EAFn thi\u1EBFt b\u1ECB v\xE0 m\xE3 h\xF3a d\u1EEF li\u1EC7u m\xE1y tr\u1EA1m.",
  "profile.alreadyEncrypted": "D\u1EEF li\u1EC7u m\xE1y tr\u1EA1m \u0111\xE3 \u0111\u01B0\u1EE3c m\xE3 h\xF3a.",
  "setup.done": "M\xE1y tr\u1EA1m n\xE0y \u0111\xE3 \u0111\u01B0\u1EE3c thi\u1EBFt l\u1EADp.",
  "setup.required": "M\xE1y tr\u1EA1m ch\u01B0a \u0111\u01B0\u1EE3c thi\u1EBFt l\u1EADp.",
  "user.notFound": "Kh\xF4ng t\xECm th\u1EA5y ng\u01B0\u1EDDi d\xF9ng.",
  "policy.registerRolesEmpty": "C\u1EA7n \xEDt nh\u1EA5t m\u1ED9t vai tr\xF2 \u0111\u01B0\u1EE3c v\xE0o s\u1ED5 v\u0103n b\u1EA3n.",
  // Tokens
  "token.notBound": "Thi\u1EBFt b\u1ECB k\xFD s\u1ED1 n\xE0y ch\u01B0a \u0111\u01B0\u1EE3c g\u1EAFn v\u1EDBi m\xE1y tr\u1EA1m. H\xE3y nh\u1EDD qu\u1EA3n tr\u1ECB g\u1EAFn thi\u1EBFt b\u1ECB cho b\u1EA1n.",
  "token.notBoundToActiveUser": "Thi\u1EBFt b\u1ECB k\xFD s\u1ED1 n\xE0y kh\xF4ng g\u1EAFn v\u1EDBi ng\u01B0\u1EDDi d\xF9ng n\xE0o c\xF2n ho\u1EA1t \u0111\u1ED9ng tr\xEAn m\xE1y tr\u1EA1m.",
  "token.noEncryptionCert": "Thi\u1EBFt b\u1ECB k\xFD s\u1ED1 kh\xF4ng c\xF3 ch\u1EE9ng th\u01B0 d\xF9ng \u0111\u1EC3 m\xE3 h\xF3a (RSA, keyEncipherment), n\xEAn kh\xF4ng th\u1EC3 gi\u1EEF kh\xF3a d\u1EEF li\u1EC7u c\u1EE7a m\xE1y tr\u1EA1m.",
  "token.noEncryptionCertShort": "Thi\u1EBFt b\u1ECB k\xFD s\u1ED1 kh\xF4ng c\xF3 ch\u1EE9ng th\u01B0 d\xF9ng \u0111\u1EC3 m\xE3 h\xF3a (RSA, keyEncipherment).",
  "token.oaepUnsupported": "Thi\u1EBFt b\u1ECB k\xFD s\u1ED1 kh\xF4ng gi\u1EA3i m\xE3 \u0111\u01B0\u1EE3c kh\xF3a d\u1EEF li\u1EC7u (c\u01A1 ch\u1EBF RSA-OAEP kh\xF4ng \u0111\u01B0\u1EE3c h\u1ED7 tr\u1EE3).",
  "token.noSigningCert": "Thi\u1EBFt b\u1ECB k\xFD s\u1ED1 kh\xF4ng c\xF3 ch\u1EE9ng th\u01B0 d\xF9ng \u0111\u1EC3 k\xFD.",
  "token.noCertificates": "Thi\u1EBFt b\u1ECB n\xE0y kh\xF4ng c\xF3 ch\u1EE9ng th\u01B0 n\xE0o.",
  "token.certBoundToOther": "Ch\u1EE9ng th\u01B0 tr\xEAn thi\u1EBFt b\u1ECB n\xE0y \u0111\xE3 \u0111\u01B0\u1EE3c g\u1EAFn v\u1EDBi ng\u01B0\u1EDDi d\xF9ng kh\xE1c.",
  "token.noUnlockCert": "Thi\u1EBFt b\u1ECB kh\xF4ng c\xF3 ch\u1EE9ng th\u01B0 d\xF9ng \u0111\u1EC3 m\u1EDF kh\xF3a m\xE1y tr\u1EA1m (RSA, keyEncipherment).",
  "token.unknownModule": "Kh\xF4ng th\u1EA5y thi\u1EBFt b\u1ECB k\xFD s\u1ED1 \u0111\xE3 ch\u1ECDn. H\xE3y b\u1EA5m \u201CL\xE0m m\u1EDBi\u201D r\u1ED3i ch\u1ECDn l\u1EA1i thi\u1EBFt b\u1ECB.",
  "token.notRecovery": "Thi\u1EBFt b\u1ECB n\xE0y kh\xF4ng gi\u1EEF kh\xF3a kh\xF4i ph\u1EE5c c\u1EE7a m\xE1y tr\u1EA1m (machine.json, recoveryCertificate).",
  "token.signerNotYou": "Ch\u1EE9ng th\u01B0 k\xFD s\u1ED1 tr\xEAn thi\u1EBFt b\u1ECB n\xE0y \u0111ang g\u1EAFn v\u1EDBi ng\u01B0\u1EDDi kh\xE1c; kh\xF4ng th\u1EC3 k\xFD thay ng\u01B0\u1EDDi \u0111\xF3.",
  "token.signerNotBound": "Ch\u1EE9ng th\u01B0 k\xFD s\u1ED1 tr\xEAn thi\u1EBFt b\u1ECB n\xE0y ch\u01B0a \u0111\u01B0\u1EE3c g\u1EAFn v\u1EDBi b\u1EA1n. H\xE3y nh\u1EDD qu\u1EA3n tr\u1ECB g\u1EAFn thi\u1EBFt b\u1ECB (Ng\u01B0\u1EDDi d\xF9ng \u2192 G\u1EAFn thi\u1EBFt b\u1ECB).",
  "cert.boundElsewhere": "Ch\u1EE9ng th\u01B0 \u201C{{name}}\u201D (s\xEA-ri {{serial}}) \u0111ang g\u1EAFn v\u1EDBi {{holder}}. Mu\u1ED1n g\u1EAFn cho ng\u01B0\u1EDDi kh\xE1c, qu\u1EA3n tr\u1ECB ph\u1EA3i g\u1EE1 ch\u1EE9ng th\u01B0 \u0111\xF3 kh\u1ECFi {{holder}} tr\u01B0\u1EDBc.",
  "cert.notBoundToUser": "Ch\u1EE9ng th\u01B0 n\xE0y kh\xF4ng g\u1EAFn v\u1EDBi ng\u01B0\u1EDDi d\xF9ng \u0111\xE3 ch\u1ECDn.",
  "cert.unbindOwn": "Kh\xF4ng g\u1EE1 \u0111\u01B0\u1EE3c ch\u1EE9ng th\u01B0 \u0111ang d\xF9ng cho phi\xEAn l\xE0m vi\u1EC7c n\xE0y. H\xE3y nh\u1EDD m\u1ED9t qu\u1EA3n tr\u1ECB kh\xE1c g\u1EE1.",
  "cert.recovery": "Ch\u1EE9ng th\u01B0 \u201C{{name}}\u201D l\xE0 ch\u1EE9ng th\u01B0 kh\xF4i ph\u1EE5c c\u1EE7a m\xE1y tr\u1EA1m, kh\xF4ng g\u1EAFn cho c\xE1 nh\xE2n.",
  "cert.ca": "Ch\u1EE9ng th\u01B0 \u201C{{name}}\u201D l\xE0 ch\u1EE9ng th\u01B0 c\u1EE7a t\u1ED5 ch\u1EE9c c\u1EA5p ch\u1EE9ng th\u01B0 (CA), kh\xF4ng ph\u1EA3i c\u1EE7a c\xE1 nh\xE2n.",
  "cert.expired": "Ch\u1EE9ng th\u01B0 \u201C{{name}}\u201D kh\xF4ng c\xF2n ho\u1EB7c ch\u01B0a c\xF3 hi\u1EC7u l\u1EF1c (t\u1EEB {{from}} \u0111\u1EBFn {{to}}).",
  "cert.keyUsage": "Ch\u1EE9ng th\u01B0 \u201C{{name}}\u201D kh\xF4ng d\xF9ng \u0111\u01B0\u1EE3c \u0111\u1EC3 m\u1EDF kh\xF3a (c\u1EA7n kh\xF3a RSA cho ph\xE9p keyEncipherment) hay \u0111\u1EC3 k\xFD s\u1ED1 (c\u1EA7n digitalSignature ho\u1EB7c nonRepudiation).",
  "cert.noTrustAnchors": "M\xE1y tr\u1EA1m ch\u01B0a \u0111\u01B0\u1EE3c c\xE0i ch\u1EE9ng th\u01B0 g\u1ED1c tin c\u1EADy (machine.json, trustAnchors) n\xEAn ch\u01B0a g\u1EAFn \u0111\u01B0\u1EE3c thi\u1EBFt b\u1ECB k\xFD s\u1ED1. H\xE3y b\xE1o b\u1ED9 ph\u1EADn CNTT.",
  "cert.untrusted": "Ch\u1EE9ng th\u01B0 \u201C{{name}}\u201D kh\xF4ng do t\u1ED5 ch\u1EE9c c\u1EA5p ch\u1EE9ng th\u01B0 \u0111\u01B0\u1EE3c tin c\u1EADy tr\xEAn m\xE1y tr\u1EA1m n\xE0y c\u1EA5p: {{why}}",
  "user.clearanceAbove": "{{name}} \u0111\u01B0\u1EE3c ti\u1EBFp c\u1EADn \u1EDF m\u1EE9c cao h\u01A1n m\u1EE9c c\u1EE7a b\u1EA1n; ch\u1EC9 qu\u1EA3n tr\u1ECB c\xF3 m\u1EE9c ti\u1EBFp c\u1EADn b\u1EB1ng ho\u1EB7c cao h\u01A1n m\u1EDBi g\u1EAFn ho\u1EB7c g\u1EE1 thi\u1EBFt b\u1ECB cho ng\u01B0\u1EDDi n\xE0y.",
  "profile.notLegacy": "\u0110\xE2y kh\xF4ng ph\u1EA3i d\u1EEF li\u1EC7u m\xE1y tr\u1EA1m c\u0169 ch\u01B0a m\xE3 h\xF3a; h\xE3y m\u1EDF kh\xF3a b\u1EB1ng thi\u1EBFt b\u1ECB k\xFD s\u1ED1 \u0111\xE3 \u0111\u01B0\u1EE3c g\u1EAFn.",
  "profile.legacyRecovery": "D\u1EEF li\u1EC7u m\xE1y tr\u1EA1m n\xE0y \u0111\u01B0\u1EE3c t\u1EA1o tr\u01B0\u1EDBc khi d\xF9ng thi\u1EBFt b\u1ECB k\xFD s\u1ED1 v\xE0 thi\u1EBFt b\u1ECB n\xE0y ch\u01B0a \u0111\u01B0\u1EE3c g\u1EAFn v\u1EDBi ai. B\u1ED9 ph\u1EADn CNTT c\u1EA7n d\xF9ng thi\u1EBFt b\u1ECB kh\xF4i ph\u1EE5c c\u1EE7a m\xE1y tr\u1EA1m \u0111\u1EC3 g\u1EAFn thi\u1EBFt b\u1ECB cho ng\u01B0\u1EDDi d\xF9ng \u0111\u1EA7u ti\xEAn (th\u01B0\u1EDDng l\xE0 qu\u1EA3n tr\u1ECB); sau \u0111\xF3 qu\u1EA3n tr\u1ECB g\u1EAFn thi\u1EBFt b\u1ECB cho nh\u1EEFng ng\u01B0\u1EDDi kh\xE1c.",
  "profile.legacyNoRecovery": "D\u1EEF li\u1EC7u m\xE1y tr\u1EA1m n\xE0y \u0111\u01B0\u1EE3c t\u1EA1o tr\u01B0\u1EDBc khi d\xF9ng thi\u1EBFt b\u1ECB k\xFD s\u1ED1 v\xE0 thi\u1EBFt b\u1ECB n\xE0y ch\u01B0a \u0111\u01B0\u1EE3c g\u1EAFn v\u1EDBi ai. M\xE1y tr\u1EA1m ch\u01B0a c\xF3 ch\u1EE9ng th\u01B0 kh\xF4i ph\u1EE5c (machine.json, recoveryCertificate) \u0111\u1EC3 g\u1EAFn thi\u1EBFt b\u1ECB cho ng\u01B0\u1EDDi d\xF9ng \u0111\u1EA7u ti\xEAn: h\xE3y b\xE1o b\u1ED9 ph\u1EADn CNTT.",
  "token.absent": "Kh\xF4ng th\u1EA5y thi\u1EBFt b\u1ECB k\xFD s\u1ED1. H\xE3y c\u1EAFm thi\u1EBFt b\u1ECB v\xE0o m\xE1y r\u1ED3i th\u1EED l\u1EA1i.",
  "token.driverMissing": "Kh\xF4ng t\xECm th\u1EA5y tr\xECnh \u0111i\u1EC1u khi\u1EC3n (driver) c\u1EE7a thi\u1EBFt b\u1ECB k\xFD s\u1ED1. H\xE3y b\xE1o qu\u1EA3n tr\u1ECB ki\u1EC3m tra c\u1EA5u h\xECnh m\xE1y tr\u1EA1m.",
  "token.driverUnusable": "Tr\xECnh \u0111i\u1EC1u khi\u1EC3n thi\u1EBFt b\u1ECB k\xFD s\u1ED1 kh\xF4ng d\xF9ng \u0111\u01B0\u1EE3c (kh\xF4ng ph\u1EA3i th\u01B0 vi\u1EC7n PKCS#11 ho\u1EB7c kh\xF4ng kh\u1EDFi \u0111\u1ED9ng \u0111\u01B0\u1EE3c). H\xE3y b\xE1o qu\u1EA3n tr\u1ECB.",
  "token.driverHung": "Tr\xECnh \u0111i\u1EC1u khi\u1EC3n thi\u1EBFt b\u1ECB k\xFD s\u1ED1 kh\xF4ng ph\u1EA3n h\u1ED3i ho\u1EB7c \u0111\xE3 d\u1EEBng. Phi\xEAn l\xE0m vi\u1EC7c \u0111\xE3 \u0111\u01B0\u1EE3c kh\xF3a; h\xE3y r\xFAt v\xE0 c\u1EAFm l\u1EA1i thi\u1EBFt b\u1ECB r\u1ED3i \u0111\u0103ng nh\u1EADp l\u1EA1i.",
  "token.mechanismParam": "Thi\u1EBFt b\u1ECB k\xFD s\u1ED1 kh\xF4ng h\u1ED7 tr\u1EE3 tham s\u1ED1 m\xE3 h\xF3a c\u1EE7a t\u1EC7p n\xE0y (v\xED d\u1EE5 RSA-OAEP v\u1EDBi SHA-256). Ng\u01B0\u1EDDi g\u1EEDi c\u1EA7n m\xE3 h\xF3a l\u1EA1i v\u1EDBi tham s\u1ED1 thi\u1EBFt b\u1ECB h\u1ED7 tr\u1EE3 (SHA-1).",
  "token.keyUnusable": "Kh\xF3a tr\xEAn thi\u1EBFt b\u1ECB k\xFD s\u1ED1 kh\xF4ng th\u1EF1c hi\u1EC7n \u0111\u01B0\u1EE3c thao t\xE1c n\xE0y.",
  "token.sessionEnded": "Phi\xEAn \u0111\u0103ng nh\u1EADp thi\u1EBFt b\u1ECB k\xFD s\u1ED1 \u0111\xE3 k\u1EBFt th\xFAc. H\xE3y nh\u1EADp l\u1EA1i m\xE3 PIN.",
  "token.failed": "Thi\u1EBFt b\u1ECB k\xFD s\u1ED1 b\xE1o l\u1ED7i. H\xE3y th\u1EED l\u1EA1i; n\u1EBFu v\u1EABn l\u1ED7i, b\xE1o qu\u1EA3n tr\u1ECB.",
  "pin.incorrect": "M\xE3 PIN kh\xF4ng \u0111\xFAng.",
  "pin.incorrectLow": "M\xE3 PIN kh\xF4ng \u0111\xFAng. Thi\u1EBFt b\u1ECB s\u1EAFp b\u1ECB kh\xF3a: c\xF2n \xEDt l\u1EA7n th\u1EED.",
  "pin.incorrectFinal": "M\xE3 PIN kh\xF4ng \u0111\xFAng. \u0110\xE2y l\xE0 l\u1EA7n th\u1EED cu\u1ED1i c\xF9ng: nh\u1EADp sai n\u1EEFa thi\u1EBFt b\u1ECB s\u1EBD b\u1ECB kh\xF3a.",
  "pin.locked": "M\xE3 PIN c\u1EE7a thi\u1EBFt b\u1ECB k\xFD s\u1ED1 \u0111\xE3 b\u1ECB kh\xF3a do nh\u1EADp sai qu\xE1 s\u1ED1 l\u1EA7n cho ph\xE9p. H\xE3y li\xEAn h\u1EC7 b\u1ED9 ph\u1EADn qu\u1EA3n tr\u1ECB (c\u01A1 y\u1EBFu) \u0111\u1EC3 m\u1EDF kh\xF3a b\u1EB1ng m\xE3 PIN qu\u1EA3n tr\u1ECB (SO PIN).",
  "pin.badFormat": "M\xE3 PIN kh\xF4ng \u0111\xFAng \u0111\u1ED9 d\xE0i ho\u1EB7c k\xFD t\u1EF1 m\xE0 thi\u1EBFt b\u1ECB y\xEAu c\u1EA7u.",
  "pin.invalid": "M\xE3 PIN kh\xF4ng h\u1EE3p l\u1EC7.",
  "pin.expired": "M\xE3 PIN \u0111\xE3 h\u1EBFt h\u1EA1n. H\xE3y \u0111\u1ED5i m\xE3 PIN b\u1EB1ng ph\u1EA7n m\u1EC1m c\u1EE7a thi\u1EBFt b\u1ECB r\u1ED3i th\u1EED l\u1EA1i.",
  // Signatures and envelopes (CryptoError codes; the core keeps the more specific Vietnamese text)
  "crypto.MALFORMED_SIGNATURE": "Ch\u1EEF k\xFD s\u1ED1 b\u1ECB h\u1ECFng ho\u1EB7c kh\xF4ng \u0111\xFAng \u0111\u1ECBnh d\u1EA1ng.",
  "crypto.MALFORMED_CERTIFICATE": "Ch\u1EE9ng th\u01B0 s\u1ED1 b\u1ECB h\u1ECFng ho\u1EB7c kh\xF4ng \u0111\xFAng \u0111\u1ECBnh d\u1EA1ng.",
  "crypto.MALFORMED_ENVELOPE": "T\u1EC7p m\xE3 h\xF3a b\u1ECB h\u1ECFng ho\u1EB7c kh\xF4ng \u0111\xFAng \u0111\u1ECBnh d\u1EA1ng.",
  "crypto.TRUNCATED": "T\u1EC7p m\xE3 h\xF3a b\u1ECB c\u1EAFt c\u1EE5t.",
  "crypto.TAMPERED": "T\u1EC7p \u0111\xE3 b\u1ECB thay \u0111\u1ED5i, b\u1ECB h\u1ECFng ho\u1EB7c kh\xF4ng m\u1EDF \u0111\u01B0\u1EE3c b\u1EB1ng kh\xF3a n\xE0y.",
  "crypto.NOT_A_RECIPIENT": "T\u1EC7p kh\xF4ng \u0111\u01B0\u1EE3c m\xE3 h\xF3a cho ch\u1EE9ng th\u01B0 c\u1EE7a b\u1EA1n.",
  "crypto.UNSUPPORTED_ALGORITHM": "Thu\u1EADt to\xE1n m\u1EADt m\xE3 kh\xF4ng \u0111\u01B0\u1EE3c h\u1ED7 tr\u1EE3.",
  "crypto.POLICY_REFUSED": "Thao t\xE1c m\u1EADt m\xE3 b\u1ECB t\u1EEB ch\u1ED1i theo ch\xEDnh s\xE1ch an to\xE0n.",
  "crypto.UNSUITABLE_CERTIFICATE": "Ch\u1EE9ng th\u01B0 s\u1ED1 kh\xF4ng d\xF9ng \u0111\u01B0\u1EE3c cho thao t\xE1c n\xE0y.",
  "crypto.SIGNING_FAILED": "Ch\u1EEF k\xFD t\u1EA1o ra kh\xF4ng ki\u1EC3m tra \u0111\u01B0\u1EE3c v\u1EDBi ch\u1EE9ng th\u01B0. Thao t\xE1c k\xFD \u0111\xE3 b\u1ECB h\u1EE7y.",
  "crypto.failed": "Thao t\xE1c m\u1EADt m\xE3 kh\xF4ng th\u1EF1c hi\u1EC7n \u0111\u01B0\u1EE3c.",
  // Files
  "attachment.notFound": "Kh\xF4ng t\xECm th\u1EA5y t\u1EC7p \u0111\xEDnh k\xE8m.",
  "file.tooLarge": 'T\u1EC7p "{{name}}" v\u01B0\u1EE3t qu\xE1 gi\u1EDBi h\u1EA1n {{limit}}.',
  "file.unreadable": 'Kh\xF4ng \u0111\u1ECDc \u0111\u01B0\u1EE3c t\u1EC7p "{{name}}".',
  "file.unreadablePick": 'Kh\xF4ng \u0111\u1ECDc \u0111\u01B0\u1EE3c t\u1EC7p "{{name}}". H\xE3y ch\u1ECDn m\u1ED9t t\u1EC7p tr\xEAn m\xE1y ho\u1EB7c tr\xEAn thi\u1EBFt b\u1ECB l\u01B0u tr\u1EEF \u0111\u01B0\u1EE3c ph\xE9p.',
  "file.empty": 'T\u1EC7p "{{name}}" r\u1ED7ng (0 byte).',
  "file.notOnDisk": 'Kh\xF4ng \u0111\u1ECDc \u0111\u01B0\u1EE3c t\u1EC7p "{{name}}". H\xE3y ch\u1ECDn t\u1EC7p t\u1EEB \u1ED5 \u0111\u0129a c\u1EE7a m\xE1y.',
  "file.badName": "T\xEAn t\u1EC7p kh\xF4ng h\u1EE3p l\u1EC7.",
  "staged.gone": "T\u1EC7p \u0111\xEDnh k\xE8m \u0111\xE3 t\u1EA3i l\xEAn kh\xF4ng c\xF2n. Vui l\xF2ng ch\u1ECDn l\u1EA1i t\u1EC7p.",
  "staged.otherPerson": "T\u1EC7p \u0111\xEDnh k\xE8m n\xE0y do ng\u01B0\u1EDDi kh\xE1c t\u1EA3i l\xEAn; ch\u1EC9 ng\u01B0\u1EDDi \u0111\xE3 t\u1EA3i l\xEAn m\u1EDBi \u0111\u01B0\u1EE3c d\xF9ng \u0111\u1EC3 v\xE0o s\u1ED5.",
  "personal.keyMissing": "Kh\xF4ng m\u1EDF \u0111\u01B0\u1EE3c kh\xF3a c\xE1 nh\xE2n c\u1EE7a b\u1EA1n tr\xEAn m\xE1y tr\u1EA1m n\xE0y n\xEAn ch\u01B0a th\u1EC3 t\u1EA3i t\u1EC7p l\xEAn hay l\u01B0u b\u1EA3n nh\xE1p. H\xE3y kh\xF3a m\xE1y r\u1ED3i m\u1EDF l\u1EA1i; n\u1EBFu v\u1EABn kh\xF4ng \u0111\u01B0\u1EE3c, b\xE1o qu\u1EA3n tr\u1ECB h\u1EC7 th\u1ED1ng.",
  // Documents
  "document.notFound": "Kh\xF4ng t\xECm th\u1EA5y v\u0103n b\u1EA3n.",
  "value.tooLarge": "Gi\xE1 tr\u1ECB l\u1EDBn nh\u1EA5t l\xE0 {{max}}.",
  "secret.reasonRequired": "Nh\u1EADp l\xFD do.",
  "secret.authorityRequired": "Nh\u1EADp c\u0103n c\u1EE9, th\u1EA9m quy\u1EC1n quy\u1EBFt \u0111\u1ECBnh.",
  "secret.decisionRequired": "Nh\u1EADp s\u1ED1, ng\xE0y c\u1EE7a quy\u1EBFt \u0111\u1ECBnh ho\u1EB7c bi\xEAn b\u1EA3n.",
  "processing.assigneeOne": "Ch\u1ECDn m\u1ED9t ng\u01B0\u1EDDi ho\u1EB7c m\u1ED9t \u0111\u01A1n v\u1ECB.",
  "processing.directionRequired": "Nh\u1EADp \xFD ki\u1EBFn ch\u1EC9 \u0111\u1EA1o.",
  "processing.noteRequired": "Nh\u1EADp n\u1ED9i dung.",
  "processing.reasonRequired": "Nh\u1EADp l\xFD do.",
  "processing.replyRequired": "Nh\u1EADp s\u1ED1, k\xFD hi\u1EC7u v\u0103n b\u1EA3n tr\u1EA3 l\u1EDDi.",
  "processing.holidayNameRequired": "Nh\u1EADp t\xEAn ng\xE0y ngh\u1EC9.",
  "processing.notClerk": "Ch\u1EC9 v\u0103n th\u01B0 \u0111\u01B0\u1EE3c tr\xECnh v\u0103n b\u1EA3n \u0111\u1EBFn.",
  "processing.notLeaderTarget": "{{name}} kh\xF4ng ph\u1EA3i l\xE3nh \u0111\u1EA1o: ch\u1EC9 tr\xECnh v\u0103n b\u1EA3n cho l\xE3nh \u0111\u1EA1o.",
  "processing.userUnknown": "Kh\xF4ng t\xECm th\u1EA5y ng\u01B0\u1EDDi \u0111\u01B0\u1EE3c ch\u1ECDn.",
  "processing.unitUnknown": "Kh\xF4ng t\xECm th\u1EA5y \u0111\u01A1n v\u1ECB \u0111\u01B0\u1EE3c ch\u1ECDn.",
  "processing.notCleared": "{{name}} ch\u01B0a \u0111\u01B0\u1EE3c ph\xE9p ti\u1EBFp c\u1EADn v\u0103n b\u1EA3n \u1EDF \u0111\u1ED9 m\u1EADt n\xE0y.",
  "processing.alreadySubmitted": "V\u0103n b\u1EA3n \u0111\xE3 \u0111\u01B0\u1EE3c tr\xECnh l\xE3nh \u0111\u1EA1o.",
  "processing.notSubmitted": "V\u0103n b\u1EA3n ch\u01B0a \u0111\u01B0\u1EE3c tr\xECnh l\xE3nh \u0111\u1EA1o.",
  "processing.notLeader": "Ch\u1EC9 l\xE3nh \u0111\u1EA1o \u0111\u01B0\u1EE3c cho \xFD ki\u1EBFn ch\u1EC9 \u0111\u1EA1o.",
  "processing.alreadyDirected": "V\u0103n b\u1EA3n \u0111\xE3 c\xF3 \xFD ki\u1EBFn ch\u1EC9 \u0111\u1EA1o; mu\u1ED1n thay \u0111\u1ED5i, h\xE3y s\u1EEDa \xFD ki\u1EBFn ch\u1EC9 \u0111\u1EA1o hi\u1EC7n h\xE0nh.",
  "processing.staleRevision": "\xDD ki\u1EBFn ch\u1EC9 \u0111\u1EA1o \u0111\u01B0\u1EE3c s\u1EEDa kh\xF4ng ph\u1EA3i \xFD ki\u1EBFn hi\u1EC7n h\xE0nh.",
  "processing.returned": "V\u0103n b\u1EA3n \u0111\xE3 b\u1ECB tr\u1EA3 l\u1EA1i; kh\xF4ng th\u1EC3 ti\u1EBFp t\u1EE5c x\u1EED l\xFD.",
  "processing.finished": "V\u0103n b\u1EA3n \u0111\xE3 ho\xE0n th\xE0nh x\u1EED l\xFD; kh\xF4ng th\u1EC3 ti\u1EBFp t\u1EE5c.",
  "processing.deadlinePast": "H\u1EA1n x\u1EED l\xFD kh\xF4ng \u0111\u01B0\u1EE3c tr\u01B0\u1EDBc ng\xE0y h\xF4m nay.",
  "processing.deadlineAfterParent": "H\u1EA1n x\u1EED l\xFD kh\xF4ng \u0111\u01B0\u1EE3c sau h\u1EA1n \u0111\xE3 giao ({{date}}).",
  "processing.taskNotFound": "Kh\xF4ng t\xECm th\u1EA5y nhi\u1EC7m v\u1EE5 x\u1EED l\xFD.",
  "processing.taskClosed": "Nhi\u1EC7m v\u1EE5 n\xE0y kh\xF4ng c\xF2n \u0111ang ch\u1EDD x\u1EED l\xFD.",
  "processing.notYourTask": "Nhi\u1EC7m v\u1EE5 n\xE0y kh\xF4ng \u0111\u01B0\u1EE3c giao cho b\u1EA1n.",
  "processing.mayNotAssign": "B\u1EA1n kh\xF4ng c\xF3 quy\u1EC1n ph\xE2n c\xF4ng x\u1EED l\xFD nhi\u1EC7m v\u1EE5 n\xE0y.",
  "processing.cannotAssign": "Nhi\u1EC7m v\u1EE5 n\xE0y kh\xF4ng ph\xE2n c\xF4ng ti\u1EBFp \u0111\u01B0\u1EE3c.",
  "processing.selfAssign": "Kh\xF4ng ph\xE2n c\xF4ng cho ch\xEDnh m\xECnh.",
  "processing.extensionPending": "\u0110\xE3 c\xF3 \u0111\u1EC1 ngh\u1ECB gia h\u1EA1n \u0111ang ch\u1EDD quy\u1EBFt \u0111\u1ECBnh.",
  "processing.extensionNotLater": "H\u1EA1n m\u1EDBi ph\u1EA3i sau h\u1EA1n hi\u1EC7n t\u1EA1i ({{date}}).",
  "processing.noDeadline": "Nhi\u1EC7m v\u1EE5 kh\xF4ng c\xF3 h\u1EA1n x\u1EED l\xFD \u0111\u1EC3 gia h\u1EA1n.",
  "processing.noExtensionPending": "Kh\xF4ng c\xF3 \u0111\u1EC1 ngh\u1ECB gia h\u1EA1n n\xE0o \u0111ang ch\u1EDD.",
  "processing.mayNotDecide": "Ch\u1EC9 l\xE3nh \u0111\u1EA1o ho\u1EB7c ng\u01B0\u1EDDi giao nhi\u1EC7m v\u1EE5 \u0111\u01B0\u1EE3c quy\u1EBFt \u0111\u1ECBnh gia h\u1EA1n.",
  "processing.mayNotReturn": "B\u1EA1n kh\xF4ng c\xF3 quy\u1EC1n tr\u1EA3 l\u1EA1i v\u0103n b\u1EA3n n\xE0y.",
  "processing.draftNotAllowed": "Kh\xF4ng \u0111\xEDnh k\xE8m \u0111\u01B0\u1EE3c d\u1EF1 th\u1EA3o v\xE0o nhi\u1EC7m v\u1EE5 n\xE0y.",
  "processing.notTrackingReader": "Ch\u1EC9 v\u0103n th\u01B0 v\xE0 l\xE3nh \u0111\u1EA1o \u0111\u01B0\u1EE3c in s\u1ED5 theo d\xF5i gi\u1EA3i quy\u1EBFt v\u0103n b\u1EA3n \u0111\u1EBFn.",
  "processing.calendarInvalid": "L\u1ECBch l\xE0m vi\u1EC7c kh\xF4ng h\u1EE3p l\u1EC7: {{reason}}.",
  "processing.unitInboxDenied": "Ch\u1EC9 l\xE3nh \u0111\u1EA1o \u0111\u01B0\u1EE3c xem v\u0103n b\u1EA3n c\u1EA7n ph\xE2n c\xF4ng c\u1EE7a \u0111\u01A1n v\u1ECB.",
  "grant.notAllowed": "Ch\u1EC9 l\xE3nh \u0111\u1EA1o ho\u1EB7c v\u0103n th\u01B0 \u0111\u01B0\u1EE3c b\u1ED5 sung ng\u01B0\u1EDDi \u0111\u01B0\u1EE3c ti\u1EBFp c\u1EADn t\xE0i li\u1EC7u m\u1EADt.",
  "grant.notClassified": "V\u0103n b\u1EA3n th\u01B0\u1EDDng kh\xF4ng c\u1EA7n c\u1EA5p quy\u1EC1n ti\u1EBFp c\u1EADn theo t\xEAn.",
  "grant.notCleared": "{{name}} ch\u01B0a \u0111\u01B0\u1EE3c ph\xE9p ti\u1EBFp c\u1EADn b\xED m\u1EADt nh\xE0 n\u01B0\u1EDBc \u1EDF m\u1EE9c \u0111\u1ED9 n\xE0y.",
  "grant.exists": "{{name}} \u0111\xE3 \u0111\u01B0\u1EE3c c\u1EA5p quy\u1EC1n ti\u1EBFp c\u1EADn v\u0103n b\u1EA3n n\xE0y.",
  "grant.notFound": "Kh\xF4ng t\xECm th\u1EA5y quy\u1EC1n ti\u1EBFp c\u1EADn.",
  "grant.alreadyRevoked": "Quy\u1EC1n ti\u1EBFp c\u1EADn n\xE0y \u0111\xE3 \u0111\u01B0\u1EE3c thu h\u1ED3i.",
  "level.notAllowed": "Ch\u1EC9 l\xE3nh \u0111\u1EA1o \u0111\u01B0\u1EE3c \u0111\u1EC1 xu\u1EA5t thay \u0111\u1ED5i \u0111\u1ED9 m\u1EADt; ng\u01B0\u1EDDi x\xE1c nh\u1EADn l\xE0 l\xE3nh \u0111\u1EA1o ho\u1EB7c v\u0103n th\u01B0.",
  "level.notClassified": "V\u0103n b\u1EA3n th\u01B0\u1EDDng kh\xF4ng c\xF3 \u0111\u1ED9 m\u1EADt \u0111\u1EC3 gi\u1EA3i m\u1EADt.",
  "level.partRequired": "Ghi r\xF5 ph\u1EA7n \u0111\u01B0\u1EE3c gi\u1EA3i m\u1EADt.",
  "level.toRequired": "Ch\u1ECDn \u0111\u1ED9 m\u1EADt m\u1EDBi.",
  "level.lowerToUnclassified": "Kh\xF4ng h\u1EA1 \u0111\u1ED9 m\u1EADt xu\u1ED1ng \u201CTh\u01B0\u1EDDng\u201D: \u0111\xF3 l\xE0 gi\u1EA3i m\u1EADt, h\xE3y ch\u1ECDn \u201CGi\u1EA3i m\u1EADt\u201D.",
  "level.notLower": "\u0110\u1ED9 m\u1EADt m\u1EDBi ph\u1EA3i th\u1EA5p h\u01A1n \u0111\u1ED9 m\u1EADt hi\u1EC7n t\u1EA1i.",
  "level.notHigher": "\u0110\u1ED9 m\u1EADt m\u1EDBi ph\u1EA3i cao h\u01A1n \u0111\u1ED9 m\u1EADt hi\u1EC7n t\u1EA1i.",
  "level.aboveClearance": "B\u1EA1n kh\xF4ng \u0111\u01B0\u1EE3c ph\xE9p ti\u1EBFp c\u1EADn \u0111\u1ED9 m\u1EADt m\u1EDBi n\xE0y.",
  "level.decidedInFuture": "Ng\xE0y quy\u1EBFt \u0111\u1ECBnh kh\xF4ng \u0111\u01B0\u1EE3c sau h\xF4m nay.",
  "level.pending": "V\u0103n b\u1EA3n \u0111ang c\xF3 m\u1ED9t \u0111\u1EC1 xu\u1EA5t thay \u0111\u1ED5i \u0111\u1ED9 m\u1EADt ch\u1EDD x\xE1c nh\u1EADn.",
  "level.changeNotFound": "Kh\xF4ng t\xECm th\u1EA5y \u0111\u1EC1 xu\u1EA5t thay \u0111\u1ED5i \u0111\u1ED9 m\u1EADt.",
  "level.samePerson": "Ng\u01B0\u1EDDi x\xE1c nh\u1EADn ph\u1EA3i l\xE0 ng\u01B0\u1EDDi kh\xE1c v\u1EDBi ng\u01B0\u1EDDi \u0111\u1EC1 xu\u1EA5t.",
  "level.notPending": "\u0110\u1EC1 xu\u1EA5t n\xE0y \u0111\xE3 \u0111\u01B0\u1EE3c x\xE1c nh\u1EADn ho\u1EB7c \u0111\xE3 h\u1EE7y.",
  "hold.notAllowed": "Ch\u1EC9 l\xE3nh \u0111\u1EA1o ho\u1EB7c v\u0103n th\u01B0 \u0111\u01B0\u1EE3c t\u1EA1m gi\u1EEF t\xE0i li\u1EC7u.",
  "hold.notFound": "Kh\xF4ng t\xECm th\u1EA5y l\u1EC7nh t\u1EA1m gi\u1EEF.",
  "hold.released": "L\u1EC7nh t\u1EA1m gi\u1EEF n\xE0y \u0111\xE3 \u0111\u01B0\u1EE3c g\u1EE1.",
  "destroy.notAllowed": "Ch\u1EC9 l\xE3nh \u0111\u1EA1o c\xF3 th\u1EA9m quy\u1EC1n \u0111\u01B0\u1EE3c quy\u1EBFt \u0111\u1ECBnh ti\xEAu h\u1EE7y t\xE0i li\u1EC7u m\u1EADt.",
  "destroy.notClassified": "Ch\u1EC9 t\xE0i li\u1EC7u b\xED m\u1EADt nh\xE0 n\u01B0\u1EDBc \u0111\u01B0\u1EE3c ti\xEAu h\u1EE7y theo th\u1EE7 t\u1EE5c n\xE0y.",
  "destroy.onHold": "T\xE0i li\u1EC7u \u0111ang b\u1ECB t\u1EA1m gi\u1EEF; g\u1EE1 l\u1EC7nh t\u1EA1m gi\u1EEF tr\u01B0\u1EDBc khi ti\xEAu h\u1EE7y.",
  "copy.notClassified": "V\u0103n b\u1EA3n th\u01B0\u1EDDng kh\xF4ng c\u1EA7n cho ph\xE9p sao, ch\u1EE5p.",
  "copy.notAuthority": "B\u1EA1n kh\xF4ng c\xF3 th\u1EA9m quy\u1EC1n cho ph\xE9p sao, ch\u1EE5p t\xE0i li\u1EC7u \u0111\u1ED9 {{level}}.",
  "copy.needsPermission": "Sao, ch\u1EE5p ho\u1EB7c in t\xE0i li\u1EC7u \u0111\u1ED9 {{level}} c\u1EA7n s\u1EF1 cho ph\xE9p c\u1EE7a ng\u01B0\u1EDDi c\xF3 th\u1EA9m quy\u1EC1n.",
  "copy.permissionUsed": "S\u1EF1 cho ph\xE9p n\xE0y \u0111\xE3 \u0111\u01B0\u1EE3c s\u1EED d\u1EE5ng.",
  "copy.beyondPermission": "V\u01B0\u1EE3t qu\xE1 s\u1EF1 cho ph\xE9p (t\u1ED1i \u0111a {{copies}} b\u1EA3n, \u0111\xFAng h\xECnh th\u1EE9c \u0111\xE3 cho ph\xE9p).",
  "copy.noPdf": "V\u0103n b\u1EA3n kh\xF4ng c\xF3 t\u1EC7p PDF \u0111\u1EC3 in ho\u1EB7c sao.",
  "report.oneYear": "S\u1ED5 \u0111\u01B0\u1EE3c l\u1EADp theo n\u0103m: ch\u1ECDn t\u1EEB ng\xE0y v\xE0 \u0111\u1EBFn ng\xE0y trong c\xF9ng m\u1ED9t n\u0103m.",
  "report.noSecretLevel": "B\u1EA1n kh\xF4ng gi\u1EEF kh\xF3a c\u1EE7a m\u1EE9c \u0111\u1ED9 m\u1EADt n\xE0o tr\xEAn m\xE1y tr\u1EA1m n\xE0y.",
  "protection.notLater": "Th\u1EDDi h\u1EA1n gia h\u1EA1n ph\u1EA3i sau th\u1EDDi h\u1EA1n b\u1EA3o v\u1EC7 hi\u1EC7n t\u1EA1i.",
  "restriction.onlyThuong": "Ch\u1EC9 v\u0103n b\u1EA3n th\u01B0\u1EDDng m\u1EDBi c\u1EA7n h\u1EA1n ch\u1EBF ph\u1EA1m vi; v\u0103n b\u1EA3n m\u1EADt \u0111\xE3 ch\u1EC9 d\xE0nh cho ng\u01B0\u1EDDi c\xF3 tr\xE1ch nhi\u1EC7m.",
  "restriction.notAllowed": "Ch\u1EC9 l\xE3nh \u0111\u1EA1o ho\u1EB7c v\u0103n th\u01B0 \u0111\u01B0\u1EE3c h\u1EA1n ch\u1EBF ph\u1EA1m vi ho\u1EB7c b\u1ECF h\u1EA1n ch\u1EBF ph\u1EA1m vi c\u1EE7a v\u0103n b\u1EA3n.",
  "restriction.unchanged": "V\u0103n b\u1EA3n \u0111\xE3 \u1EDF tr\u1EA1ng th\xE1i n\xE0y.",
  "envelope.noCertificate": "{{name}} ch\u01B0a c\xF3 ch\u1EE9ng th\u01B0 s\u1ED1 g\u1EAFn v\u1EDBi m\xE1y tr\u1EA1m \u0111\u1EC3 ni\xEAm phong b\xEC \u201CCh\u1EC9 ng\u01B0\u1EDDi c\xF3 t\xEAn m\u1EDBi \u0111\u01B0\u1EE3c b\xF3c b\xEC\u201D.",
  "envelope.namedOnly": "Ch\u1EC9 ng\u01B0\u1EDDi c\xF3 t\xEAn tr\xEAn b\xEC m\u1EDBi \u0111\u01B0\u1EE3c b\xF3c b\xEC v\xE0 xem t\u1EC7p n\xE0y.",
  "envelope.nameRequired": "Ch\u1ECDn ng\u01B0\u1EDDi c\xF3 t\xEAn tr\xEAn b\xEC (ng\u01B0\u1EDDi duy nh\u1EA5t \u0111\u01B0\u1EE3c b\xF3c b\xEC).",
  "protection.outOfRange": "Th\u1EDDi h\u1EA1n b\u1EA3o v\u1EC7 ghi tr\xEAn v\u0103n b\u1EA3n ph\u1EA3i sau ng\xE0y v\u0103n b\u1EA3n v\xE0 kh\xF4ng qu\xE1 {{max}}.",
  "copy.busy": "S\u1ED1 b\u1EA3n sao \u0111ang \u0111\u01B0\u1EE3c c\u1EA5p \u1EDF n\u01A1i kh\xE1c; vui l\xF2ng th\u1EED l\u1EA1i.",
  // A printout or copy on its way out (the Electron layer: printer or file)
  "output.gone": "B\u1EA3n in n\xE0y kh\xF4ng c\xF2n: n\xF3 \u0111\xE3 \u0111\u01B0\u1EE3c d\xF9ng, \u0111\xE3 h\u1EBFt h\u1EA1n ho\u1EB7c phi\xEAn l\xE0m vi\u1EC7c \u0111\xE3 kh\xF3a. H\xE3y in ho\u1EB7c sao l\u1EA1i t\u1EEB v\u0103n b\u1EA3n.",
  "output.notForPrinter": "B\u1EA3n sao \u0111i\u1EC7n t\u1EED \u0111\u01B0\u1EE3c l\u01B0u th\xE0nh t\u1EC7p, kh\xF4ng g\u1EEDi ra m\xE1y in.",
  "output.notForFile": "B\u1EA3n in ch\u1EC9 \u0111\u01B0\u1EE3c g\u1EEDi ra m\xE1y in, kh\xF4ng l\u01B0u th\xE0nh t\u1EC7p.",
  "output.printerUnknown": "Kh\xF4ng t\xECm th\u1EA5y m\xE1y in \u201C{{printer}}\u201D tr\xEAn m\xE1y tr\u1EA1m n\xE0y.",
  "output.printFailed": "Kh\xF4ng in \u0111\u01B0\u1EE3c tr\xEAn m\xE1y in \u201C{{printer}}\u201D: {{reason}}.",
  "output.noFolder": "M\xE1y tr\u1EA1m ch\u01B0a \u0111\u01B0\u1EE3c c\u1EA5u h\xECnh th\u01B0 m\u1EE5c \u0111\u01B0\u1EE3c ph\xE9p l\u01B0u t\xE0i li\u1EC7u m\u1EADt; li\xEAn h\u1EC7 c\xE1n b\u1ED9 c\xF4ng ngh\u1EC7 th\xF4ng tin.",
  "output.folderNotAllowed": "T\xE0i li\u1EC7u \u0111\u1ED9 {{level}} ch\u1EC9 \u0111\u01B0\u1EE3c l\u01B0u v\xE0o th\u01B0 m\u1EE5c \u0111\xE3 \u0111\u01B0\u1EE3c c\u1EA5u h\xECnh cho m\xE1y tr\u1EA1m: {{folders}}.",
  "output.saveFailed": "Kh\xF4ng l\u01B0u \u0111\u01B0\u1EE3c t\u1EC7p: {{reason}}.",
  "compartment.notHeld": "B\u1EA1n ch\u01B0a \u0111\u01B0\u1EE3c c\u1EA5p kh\xF3a c\u1EE7a m\u1EE9c \u0111\u1ED9 m\u1EADt {{level}} tr\xEAn m\xE1y tr\u1EA1m n\xE0y; ng\u01B0\u1EDDi gi\u1EEF kh\xF3a m\u1EE9c n\xE0y c\u1EA7n m\u1EDF m\xE1y tr\u1EA1m m\u1ED9t l\u1EA7n \u0111\u1EC3 c\u1EA5p cho b\u1EA1n.",
  "document.duplicate": "V\u0103n b\u1EA3n n\xE0y c\xF3 th\u1EC3 \u0111\xE3 \u0111\u01B0\u1EE3c v\xE0o s\u1ED5. Ki\u1EC3m tra tr\u01B0\u1EDBc khi \u0111\u0103ng k\xFD ti\u1EBFp.",
  "register.noneForSecrecy": "Kh\xF4ng c\xF3 s\u1ED5 \u0111\u0103ng k\xFD n\xE0o nh\u1EADn v\u0103n b\u1EA3n \u1EDF \u0111\u1ED9 m\u1EADt n\xE0y.",
  "register.wrongSecrecy": "S\u1ED5 \u0111\u0103ng k\xFD \u0111\xE3 ch\u1ECDn kh\xF4ng nh\u1EADn v\u0103n b\u1EA3n \u1EDF \u0111\u1ED9 m\u1EADt n\xE0y.",
  "issuer.unknown": "C\u01A1 quan ban h\xE0nh kh\xF4ng c\xF3 trong danh m\u1EE5c.",
  // The register as the law keeps it: dates and order, Phụ lục VI fields, recipients, hand-over,
  // corrections, registers and numbering scopes, the agency's units
  "arrival.future": "Ng\xE0y \u0111\u1EBFn kh\xF4ng \u0111\u01B0\u1EE3c sau h\xF4m nay ({{today}}).",
  "documentDate.afterArrivalOn": "Ng\xE0y v\u0103n b\u1EA3n kh\xF4ng \u0111\u01B0\u1EE3c sau ng\xE0y \u0111\u1EBFn ({{arrival}}).",
  "documentDate.future": "Ng\xE0y v\u0103n b\u1EA3n kh\xF4ng \u0111\u01B0\u1EE3c sau h\xF4m nay ({{today}}).",
  "date.yearRange": "N\u0103m {{year}} c\u1EE7a {{field}} kh\xF4ng h\u1EE3p l\u1EC7: ch\u1EC9 nh\u1EADn t\u1EEB n\u0103m {{min}} \u0111\u1EBFn n\u0103m {{max}}.",
  "order.pastYear": "Ng\xE0y \u0111\u1EBFn thu\u1ED9c n\u0103m {{year}} \u0111\xE3 qua: v\u0103n b\u1EA3n s\u1EBD \u0111\u01B0\u1EE3c v\xE0o \u201C{{register}}\u201D n\u0103m {{year}}, v\u1EDBi s\u1ED1 \u0111\u1EBFn ti\u1EBFp theo c\u1EE7a n\u0103m \u0111\xF3.",
  "order.beforeLatest": "Ng\xE0y \u0111\u1EBFn s\u1EDBm h\u01A1n v\u0103n b\u1EA3n v\xE0o s\u1ED5 g\u1EA7n nh\u1EA5t c\u1EE7a \u201C{{register}}\u201D (ng\xE0y \u0111\u1EBFn {{latest}}): s\u1ED1 \u0111\u1EBFn s\u1EBD kh\xF4ng theo th\u1EE9 t\u1EF1 ng\xE0y \u0111\u1EBFn.",
  "count.notNumber": "{{Field}} ph\u1EA3i l\xE0 s\u1ED1.",
  "count.notInteger": "{{Field}} ph\u1EA3i l\xE0 s\u1ED1 nguy\xEAn.",
  "count.tooSmall": "{{Field}} \xEDt nh\u1EA5t l\xE0 {{min}}.",
  "count.tooBig": "{{Field}} t\u1ED1i \u0111a {{max}}.",
  "signer.tooLong": "Ng\u01B0\u1EDDi k\xFD d\xE0i t\u1ED1i \u0111a {{max}} k\xFD t\u1EF1.",
  "arrivalChannel.required": "Ch\u1ECDn h\xECnh th\u1EE9c nh\u1EADn v\u0103n b\u1EA3n.",
  "recipient.required": "Ch\u01B0a nh\u1EADp \u0111\u01A1n v\u1ECB ho\u1EB7c ng\u01B0\u1EDDi nh\u1EADn.",
  "recipient.unitUnknown": "\u0110\u01A1n v\u1ECB nh\u1EADn kh\xF4ng c\xF3 trong danh s\xE1ch \u0111\u01A1n v\u1ECB c\u1EE7a c\u01A1 quan.",
  "recipient.userUnknown": "Ng\u01B0\u1EDDi nh\u1EADn kh\xF4ng c\xF3 trong danh s\xE1ch ng\u01B0\u1EDDi d\xF9ng c\u1EE7a c\u01A1 quan.",
  "recipient.notCleared": "{{name}} kh\xF4ng \u0111\u01B0\u1EE3c ti\u1EBFp c\u1EADn v\u0103n b\u1EA3n {{level}}.",
  "recipient.choose": "Ch\u1ECDn \u0111\u01A1n v\u1ECB ho\u1EB7c ng\u01B0\u1EDDi nh\u1EADn.",
  "handover.future": "Ng\xE0y chuy\u1EC3n kh\xF4ng \u0111\u01B0\u1EE3c sau h\xF4m nay ({{today}}).",
  "handover.beforeArrival": "Ng\xE0y chuy\u1EC3n kh\xF4ng \u0111\u01B0\u1EE3c tr\u01B0\u1EDBc ng\xE0y \u0111\u1EBFn ({{arrival}}).",
  "handover.notFound": "Kh\xF4ng t\xECm th\u1EA5y l\u1EA7n chuy\u1EC3n v\u0103n b\u1EA3n.",
  "handover.alreadyAcknowledged": "V\u0103n b\u1EA3n \u0111\xE3 \u0111\u01B0\u1EE3c k\xFD nh\u1EADn l\xFAc {{time}}.",
  "handover.onlyRecipient": "Ch\u1EC9 ng\u01B0\u1EDDi nh\u1EADn v\u0103n b\u1EA3n m\u1EDBi k\xFD nh\u1EADn \u0111\u01B0\u1EE3c.",
  "handover.notByHander": "Ng\u01B0\u1EDDi chuy\u1EC3n v\u0103n b\u1EA3n kh\xF4ng t\u1EF1 k\xFD nh\u1EADn thay \u0111\u01A1n v\u1ECB nh\u1EADn.",
  "correction.reasonRequired": "Ch\u01B0a nh\u1EADp l\xFD do s\u1EEDa.",
  "correction.nothingChanged": "Kh\xF4ng c\xF3 thay \u0111\u1ED5i n\xE0o so v\u1EDBi th\xF4ng tin \u0111\xE3 v\xE0o s\u1ED5.",
  "correction.yearClosed": "\u201C{{register}}\u201D n\u0103m {{year}} \u0111\xE3 kh\xF3a s\u1ED5: kh\xF4ng s\u1EEDa \u0111\u01B0\u1EE3c v\u0103n b\u1EA3n c\u1EE7a n\u0103m n\xE0y.",
  "register.yearClosed": "\u201C{{register}}\u201D n\u0103m {{year}} \u0111\xE3 kh\xF3a s\u1ED5: kh\xF4ng v\xE0o s\u1ED5 th\xEAm v\u0103n b\u1EA3n c\u1EE7a n\u0103m n\xE0y \u0111\u01B0\u1EE3c.",
  "register.notFound": "Kh\xF4ng t\xECm th\u1EA5y s\u1ED5 \u0111\u0103ng k\xFD.",
  "register.nameRequired": "Ch\u01B0a nh\u1EADp t\xEAn s\u1ED5.",
  "register.nameTaken": "\u0110\xE3 c\xF3 s\u1ED5 t\xEAn \u201C{{name}}\u201D.",
  "register.levelsRequired": "Ch\u1ECDn \xEDt nh\u1EA5t m\u1ED9t \u0111\u1ED9 m\u1EADt.",
  "register.levelsMixed": "V\u0103n b\u1EA3n m\u1EADt ph\u1EA3i v\xE0o s\u1ED5 \u0111\u0103ng k\xFD b\xED m\u1EADt nh\xE0 n\u01B0\u1EDBc \u0111\u1EBFn ri\xEAng: m\u1ED9t s\u1ED5 kh\xF4ng nh\u1EADn c\u1EA3 v\u0103n b\u1EA3n th\u01B0\u1EDDng v\xE0 v\u0103n b\u1EA3n m\u1EADt.",
  "register.levelUncovered": "Kh\xF4ng c\xF2n s\u1ED5 n\xE0o nh\u1EADn v\u0103n b\u1EA3n {{levels}}. M\u1ED7i \u0111\u1ED9 m\u1EADt ph\u1EA3i c\xF3 \xEDt nh\u1EA5t m\u1ED9t s\u1ED5 \u0111ang d\xF9ng.",
  "register.scopeChoice": "Ch\u1ECDn m\u1ED9t d\xE3y s\u1ED1 c\xF3 s\u1EB5n ho\u1EB7c t\u1EA1o d\xE3y s\u1ED1 m\u1EDBi cho s\u1ED5.",
  "register.scopeUnknown": "Kh\xF4ng t\xECm th\u1EA5y d\xE3y s\u1ED1 \u0111\xE3 ch\u1ECDn.",
  "register.scopeLocked": "S\u1ED5 \u0111\xE3 c\xF3 v\u0103n b\u1EA3n n\xEAn kh\xF4ng \u0111\u1ED5i \u0111\u01B0\u1EE3c d\xE3y s\u1ED1 (s\u1ED1 \u0111\u1EBFn \u0111\xE3 c\u1EA5p gi\u1EEF nguy\xEAn). H\xE3y t\u1EA1o s\u1ED5 m\u1EDBi v\u1EDBi d\xE3y s\u1ED1 kh\xE1c.",
  "register.kindLocked": "S\u1ED5 \u0111\xE3 c\xF3 v\u0103n b\u1EA3n n\xEAn kh\xF4ng chuy\u1EC3n \u0111\u01B0\u1EE3c gi\u1EEFa s\u1ED5 v\u0103n b\u1EA3n th\u01B0\u1EDDng v\xE0 s\u1ED5 b\xED m\u1EADt nh\xE0 n\u01B0\u1EDBc. H\xE3y t\u1EA1o s\u1ED5 m\u1EDBi.",
  "register.renameSigned": "S\u1ED5 c\xF3 v\u0103n b\u1EA3n \u0111\xE3 k\xFD s\u1ED1 (ch\u1EEF k\xFD s\u1ED1 ghi c\u1EA3 t\xEAn s\u1ED5) n\xEAn kh\xF4ng \u0111\u1ED5i t\xEAn \u0111\u01B0\u1EE3c. H\xE3y t\u1EA1o s\u1ED5 m\u1EDBi v\u1EDBi t\xEAn m\u1EDBi.",
  "register.closeFuture": "Ch\u01B0a \u0111\u1EBFn n\u0103m {{year}}: ch\u1EC9 kh\xF3a \u0111\u01B0\u1EE3c s\u1ED5 c\u1EE7a n\u0103m nay ho\u1EB7c c\xE1c n\u0103m tr\u01B0\u1EDBc.",
  "register.alreadyClosed": "S\u1ED5 \u201C{{register}}\u201D n\u0103m {{year}} \u0111\xE3 \u0111\u01B0\u1EE3c kh\xF3a.",
  "year.required": "Ch\u1ECDn n\u0103m.",
  "year.invalid": "N\u0103m kh\xF4ng h\u1EE3p l\u1EC7.",
  "scope.notFound": "Kh\xF4ng t\xECm th\u1EA5y d\xE3y s\u1ED1.",
  "scope.nameRequired": "Ch\u01B0a nh\u1EADp t\xEAn d\xE3y s\u1ED1.",
  "scope.nameTaken": "\u0110\xE3 c\xF3 d\xE3y s\u1ED1 t\xEAn \u201C{{name}}\u201D.",
  "scope.resetRequired": "Ch\u1ECDn c\xE1ch b\u1EAFt \u0111\u1EA7u l\u1EA1i s\u1ED1.",
  "scope.termStartRequired": "D\xE3y s\u1ED1 theo nhi\u1EC7m k\u1EF3 c\u1EA7n ng\xE0y b\u1EAFt \u0111\u1EA7u nhi\u1EC7m k\u1EF3.",
  "scope.termYearsRange": "Nhi\u1EC7m k\u1EF3 t\u1EEB {{min}} \u0111\u1EBFn {{max}} n\u0103m.",
  "scope.perTypeUsed": "D\xE3y s\u1ED1 n\xE0y \u0111\xE3 c\u1EA5p s\u1ED1 n\xEAn kh\xF4ng \u0111\u1ED5i \u0111\u01B0\u1EE3c c\xE1ch \u0111\xE1nh s\u1ED1 theo t\u1EEBng lo\u1EA1i v\u0103n b\u1EA3n. H\xE3y t\u1EA1o d\xE3y s\u1ED1 m\u1EDBi.",
  "scope.ruleMidPeriod": "D\xE3y s\u1ED1 \u0111\xE3 c\u1EA5p s\u1ED1 trong k\u1EF3 hi\u1EC7n t\u1EA1i: \u0111\u1ED5i c\xE1ch b\u1EAFt \u0111\u1EA7u l\u1EA1i gi\u1EEFa k\u1EF3 s\u1EBD l\xE0m s\u1ED1 \u0111\u1EBFn kh\xF4ng li\xEAn t\u1EE5c. Ch\u1EC9 \u0111\u1ED5i \u0111\u01B0\u1EE3c tr\u01B0\u1EDBc s\u1ED1 \u0111\u1EA7u ti\xEAn c\u1EE7a k\u1EF3 m\u1EDBi.",
  "unit.nameRequired": "Ch\u01B0a nh\u1EADp t\xEAn \u0111\u01A1n v\u1ECB.",
  "unit.nameTaken": "\u0110\xE3 c\xF3 \u0111\u01A1n v\u1ECB \u201C{{name}}\u201D.",
  "unit.selfParent": "\u0110\u01A1n v\u1ECB kh\xF4ng th\u1EC3 tr\u1EF1c thu\u1ED9c ch\xEDnh n\xF3.",
  "unit.parentUnknown": "Kh\xF4ng t\xECm th\u1EA5y \u0111\u01A1n v\u1ECB c\u1EA5p tr\xEAn.",
  "unit.notFound": "Kh\xF4ng t\xECm th\u1EA5y \u0111\u01A1n v\u1ECB.",
  "units.tooMany": "T\u1ED1i \u0111a {{max}} \u0111\u01A1n v\u1ECB.",
  "processing.dashboardDenied": "B\u1EA3ng t\u1ED5ng h\u1EE3p d\xE0nh cho l\xE3nh \u0111\u1EA1o v\xE0 v\u0103n th\u01B0.",
  "structure.unitEnded": "\u0110\u01A1n v\u1ECB \u201C{{name}}\u201D \u0111\xE3 ng\u1EEBng ho\u1EA1t \u0111\u1ED9ng t\u1EEB sau ng\xE0y {{date}}.",
  "structure.codeTaken": "M\xE3 \u201C{{code}}\u201D \u0111ang l\xE0 m\xE3 c\u1EE7a \u0111\u01A1n v\u1ECB \u201C{{name}}\u201D.",
  "structure.dateOrder": "Ng\xE0y hi\u1EC7u l\u1EF1c ph\u1EA3i sau ng\xE0y {{date}} c\u1EE7a l\u1EA7n thay \u0111\u1ED5i tr\u01B0\u1EDBc.",
  "structure.sameName": "T\xEAn v\xE0 m\xE3 m\u1EDBi tr\xF9ng v\u1EDBi t\xEAn v\xE0 m\xE3 hi\u1EC7n t\u1EA1i.",
  "structure.mergeTooFew": "C\u1EA7n \xEDt nh\u1EA5t hai \u0111\u01A1n v\u1ECB \u0111\u1EC3 h\u1EE3p nh\u1EA5t.",
  "structure.splitTooFew": "C\u1EA7n \xEDt nh\u1EA5t hai \u0111\u01A1n v\u1ECB m\u1EDBi khi chia t\xE1ch.",
  "structure.splitBadTarget": "C\xE1n b\u1ED9 \u0111\u01B0\u1EE3c chuy\u1EC3n t\u1EDBi m\u1ED9t \u0111\u01A1n v\u1ECB m\u1EDBi kh\xF4ng c\xF3 trong danh s\xE1ch.",
  "structure.personUnknown": "Kh\xF4ng t\xECm th\u1EA5y c\xE1n b\u1ED9.",
  "structure.authorityUnknown": "Kh\xF4ng t\xECm th\u1EA5y quy\u1EC1n n\xE0y.",
  "structure.authorityEnded": "Quy\u1EC1n n\xE0y \u0111\xE3 h\u1EBFt hi\u1EC7u l\u1EF1c.",
  "structure.periodOrder": "Ng\xE0y k\u1EBFt th\xFAc ph\u1EA3i t\u1EEB ng\xE0y b\u1EAFt \u0111\u1EA7u tr\u1EDF \u0111i.",
  "structure.prefixOnlySign": "Ti\u1EC1n t\u1ED1 k\xFD (TM., KT., TL., TUQ., Q.) ch\u1EC9 d\xF9ng cho quy\u1EC1n k\xFD.",
  "structure.prefixNeedsBehalf": "K\xFD \u201C{{prefix}}\u201D c\u1EA7n ghi r\xF5 thay m\u1EB7t, k\xFD thay, th\u1EEBa l\u1EC7nh ho\u1EB7c th\u1EEBa \u1EE7y quy\u1EC1n ai.",
  "structure.import.badFile": "T\u1EC7p kh\xF4ng ph\u1EA3i b\u1EA3ng t\xEDnh Excel (.xlsx) \u0111\u1ECDc \u0111\u01B0\u1EE3c.",
  "structure.import.noSheet": "B\u1EA3ng t\xEDnh thi\u1EBFu trang \u201C{{sheet}}\u201D.",
  "structure.import.noColumn": "Trang \u201C{{sheet}}\u201D thi\u1EBFu c\u1ED9t \u201C{{column}}\u201D.",
  "structure.import.hasErrors": "B\u1EA3ng t\xEDnh c\xF3 {{count}} l\u1ED7i; ch\u01B0a nh\u1EADp g\xEC. H\xE3y s\u1EEDa c\xE1c d\xF2ng \u0111\u01B0\u1EE3c ch\u1EC9 ra r\u1ED3i nh\u1EADp l\u1EA1i.",
  "structure.import.changed": "T\u1EC7p \u0111\xE3 thay \u0111\u1ED5i t\u1EEB l\xFAc xem tr\u01B0\u1EDBc; h\xE3y xem tr\u01B0\u1EDBc l\u1EA1i.",
  "structure.import.required": "Thi\u1EBFu {{column}}.",
  "structure.import.unknownUnit": "Kh\xF4ng c\xF3 \u0111\u01A1n v\u1ECB m\xE3 \u201C{{code}}\u201D trong b\u1EA3ng t\xEDnh hay trong c\u01A1 quan.",
  "structure.import.duplicateCode": "M\xE3 \u0111\u01A1n v\u1ECB \u201C{{code}}\u201D xu\u1EA5t hi\u1EC7n h\u01A1n m\u1ED9t l\u1EA7n.",
  "structure.import.badValue": "{{column}} \u201C{{value}}\u201D kh\xF4ng h\u1EE3p l\u1EC7.",
  "structure.import.badDate": "{{column}} \u201C{{value}}\u201D kh\xF4ng ph\u1EA3i ng\xE0y h\u1EE3p l\u1EC7 (dd/mm/yyyy).",
  "structure.import.ambiguousPerson": "C\xF3 nhi\u1EC1u c\xE1n b\u1ED9 t\xEAn \u201C{{name}}\u201D; h\xE3y s\u1EEDa trong ph\u1EA7n Ng\u01B0\u1EDDi d\xF9ng.",
  "structure.import.tooMany": "B\u1EA3ng t\xEDnh c\xF3 qu\xE1 {{max}} d\xF2ng.",
  "structure.decisionRequired": "Ch\u01B0a nh\u1EADp s\u1ED1, ng\xE0y c\u1EE7a quy\u1EBFt \u0111\u1ECBnh.",
  "structure.kindInvalid": "Lo\u1EA1i quy\u1EC1n kh\xF4ng h\u1EE3p l\u1EC7.",
  "structure.prefixInvalid": "Ti\u1EC1n t\u1ED1 k\xFD kh\xF4ng h\u1EE3p l\u1EC7.",
  "structure.capacityInvalid": "V\u1ECB tr\xED trong \u0111\u01A1n v\u1ECB kh\xF4ng h\u1EE3p l\u1EC7.",
  "structure.import.roleKept": "Vai tr\xF2 v\xE0 \u0111\u1ED9 m\u1EADt c\u1EE7a \u201C{{name}}\u201D trong b\u1EA3ng t\xEDnh kh\xE1c hi\u1EC7n t\u1EA1i; gi\u1EEF nguy\xEAn (\u0111\u1ED5i trong ph\u1EA7n Ng\u01B0\u1EDDi d\xF9ng).",
  // Printouts and register exports (main/core/print, main/core/reports)
  "print.notPdf": "T\u1EC7p kh\xF4ng ph\u1EA3i PDF n\xEAn kh\xF4ng in \u0111\u01B0\u1EE3c.",
  "print.damaged": "T\u1EC7p PDF b\u1ECB h\u1ECFng, kh\xF4ng \u0111\u1ECDc \u0111\u01B0\u1EE3c n\xEAn kh\xF4ng in \u0111\u01B0\u1EE3c.",
  "print.encrypted": "T\u1EC7p PDF \u0111\u01B0\u1EE3c \u0111\u1EB7t m\u1EADt kh\u1EA9u (m\xE3 h\xF3a) n\xEAn kh\xF4ng in \u0111\u01B0\u1EE3c. C\u1EA7n b\u1EA3n PDF kh\xF4ng \u0111\u1EB7t m\u1EADt kh\u1EA9u.",
  "print.noPages": "T\u1EC7p PDF kh\xF4ng c\xF3 trang n\xE0o \u0111\u1EC3 in.",
  "print.tooManyPages": "T\u1EC7p PDF c\xF3 {{pages}} trang, v\u01B0\u1EE3t qu\xE1 gi\u1EDBi h\u1EA1n {{max}} trang c\u1EE7a m\u1ED9t l\u1EA7n in.",
  "print.copyNumber": "S\u1ED1 b\u1EA3n kh\xF4ng h\u1EE3p l\u1EC7: b\u1EA3n s\u1ED1 {{number}} tr\xEAn t\u1ED5ng s\u1ED1 {{count}} b\u1EA3n.",
  "print.watermarkMissing": "Thi\u1EBFu th\xF4ng tin cho h\xECnh m\u1EDD (ng\u01B0\u1EDDi, \u0111\u01A1n v\u1ECB, th\u1EDDi gian ho\u1EB7c s\u1ED1 v\u0103n b\u1EA3n).",
  "report.tooManyRows": "S\u1ED5 c\xF3 {{rows}} d\xF2ng, v\u01B0\u1EE3t qu\xE1 gi\u1EDBi h\u1EA1n {{max}} d\xF2ng c\u1EE7a m\u1ED9t l\u1EA7n xu\u1EA5t.",
  "report.badRow": "D\xF2ng {{row}} c\u1EE7a s\u1ED5 thi\u1EBFu th\xF4ng tin b\u1EAFt bu\u1ED9c.",
  "report.badPeriod": "Kho\u1EA3ng th\u1EDDi gian c\u1EE7a s\u1ED5 kh\xF4ng h\u1EE3p l\u1EC7: c\u1EA7n ng\xE0y b\u1EAFt \u0111\u1EA7u v\xE0 ng\xE0y k\u1EBFt th\xFAc, ng\xE0y b\u1EAFt \u0111\u1EA7u kh\xF4ng sau ng\xE0y k\u1EBFt th\xFAc.",
  "report.badDate": "D\xF2ng {{row}} c\u1EE7a s\u1ED5 c\xF3 ng\xE0y kh\xF4ng h\u1EE3p l\u1EC7.",
  // Drafts and preferences
  "draft.tooLarge": "B\u1EA3n nh\xE1p qu\xE1 l\u1EDBn (t\u1ED1i \u0111a {{max}} KB).",
  "language.invalid": "Ng\xF4n ng\u1EEF kh\xF4ng h\u1EE3p l\u1EC7.",
  // The audit trail
  "period.order": "T\u1EEB ng\xE0y ph\u1EA3i tr\u01B0\u1EDBc ho\u1EB7c tr\xF9ng \u0111\u1EBFn ng\xE0y.",
  // The state-secret registers closed at year end (secrets/registerYears.ts)
  "secretRegister.notReader": "B\u1EA1n kh\xF4ng c\xF3 quy\u1EC1n xem c\xE1c s\u1ED5 b\xED m\u1EADt nh\xE0 n\u01B0\u1EDBc (m\u1EB7c \u0111\u1ECBnh: v\u0103n th\u01B0 v\xE0 l\xE3nh \u0111\u1EA1o).",
  "secretRegister.notCloser": "B\u1EA1n kh\xF4ng c\xF3 quy\u1EC1n kh\xF3a s\u1ED5 b\xED m\u1EADt nh\xE0 n\u01B0\u1EDBc (m\u1EB7c \u0111\u1ECBnh: v\u0103n th\u01B0 v\xE0 l\xE3nh \u0111\u1EA1o).",
  "secretRegister.needsWholeRegister": "Kh\xF3a s\u1ED5 c\u1EA7n ng\u01B0\u1EDDi xem \u0111\u01B0\u1EE3c to\xE0n b\u1ED9 s\u1ED5: v\u0103n th\u01B0 ho\u1EB7c l\xE3nh \u0111\u1EA1o gi\u1EEF kh\xF3a c\u1EE7a c\u1EA3 ba \u0111\u1ED9 m\u1EADt (M\u1EADt, T\u1ED1i m\u1EADt, Tuy\u1EC7t m\u1EADt).",
  "secretRegister.closeNotEnded": "N\u0103m {{year}} ch\u01B0a k\u1EBFt th\xFAc: ch\u1EC9 kh\xF3a s\u1ED5 n\u0103m {{year}} \u0111\u01B0\u1EE3c t\u1EEB ng\xE0y 01/01/{{next}}.",
  "secretRegister.alreadyClosed": "{{register}} n\u0103m {{year}} \u0111\xE3 kh\xF3a s\u1ED5 l\xFAc {{time}}.",
  "secretRegister.needsPrint": "Ch\u01B0a in {{register}} n\u0103m {{year}}: h\xE3y in s\u1ED5 (PDF) cho c\u1EA3 n\u0103m, t\u1EEB 01/01/{{year}} \u0111\u1EBFn 31/12/{{year}}, r\u1ED3i m\u1EDBi kh\xF3a s\u1ED5.",
  "secretRegister.changedSincePrint": "{{register}} n\u0103m {{year}} \u0111\xE3 thay \u0111\u1ED5i sau l\u1EA7n in l\xFAc {{time}}: h\xE3y in l\u1EA1i s\u1ED5 (PDF) c\u1EA3 n\u0103m r\u1ED3i kh\xF3a s\u1ED5.",
  "secretRegister.handoverYearClosed": "S\u1ED5 chuy\u1EC3n giao b\xED m\u1EADt nh\xE0 n\u01B0\u1EDBc n\u0103m {{year}} \u0111\xE3 kh\xF3a s\u1ED5: kh\xF4ng ghi th\xEAm l\u1EA7n chuy\u1EC3n giao ng\xE0y {{date}} \u0111\u01B0\u1EE3c. H\xE3y ghi ng\xE0y chuy\u1EC3n trong n\u0103m nay.",
  "secretRegister.incomingYearClosed": "S\u1ED5 \u0111\u0103ng k\xFD b\xED m\u1EADt nh\xE0 n\u01B0\u1EDBc \u0111\u1EBFn n\u0103m {{year}} \u0111\xE3 kh\xF3a s\u1ED5: kh\xF4ng ghi th\xEAm l\u1EA7n chuy\u1EC3n ng\xE0y {{date}} cho v\u0103n b\u1EA3n \u0111\u1EBFn n\u0103m {{year}} \u0111\u01B0\u1EE3c. H\xE3y ghi ng\xE0y chuy\u1EC3n trong n\u0103m nay.",
  "secretRegister.lateAcknowledgement": "L\u1EA7n chuy\u1EC3n giao ng\xE0y {{date}} thu\u1ED9c S\u1ED5 chuy\u1EC3n giao b\xED m\u1EADt nh\xE0 n\u01B0\u1EDBc n\u0103m {{year}} \u0111\xE3 kh\xF3a s\u1ED5 n\xEAn kh\xF4ng k\xFD nh\u1EADn mu\u1ED9n \u0111\u01B0\u1EE3c. V\u0103n th\u01B0 c\u1EA7n ghi l\u1EA7n chuy\u1EC3n giao m\u1EDBi trong n\u0103m nay \u0111\u1EC3 ng\u01B0\u1EDDi nh\u1EADn k\xFD nh\u1EADn v\xE0o \u0111\xF3.",
  "secretRegister.lateAcknowledgementIncoming": "L\u1EA7n chuy\u1EC3n ng\xE0y {{date}} thu\u1ED9c S\u1ED5 \u0111\u0103ng k\xFD b\xED m\u1EADt nh\xE0 n\u01B0\u1EDBc \u0111\u1EBFn n\u0103m {{year}} \u0111\xE3 kh\xF3a s\u1ED5 n\xEAn kh\xF4ng k\xFD nh\u1EADn mu\u1ED9n \u0111\u01B0\u1EE3c. V\u0103n th\u01B0 c\u1EA7n ghi l\u1EA7n chuy\u1EC3n giao m\u1EDBi trong n\u0103m nay \u0111\u1EC3 ng\u01B0\u1EDDi nh\u1EADn k\xFD nh\u1EADn v\xE0o \u0111\xF3.",
  "secretRegister.closeInSecretArea": "\u201C{{register}}\u201D l\xE0 s\u1ED5 b\xED m\u1EADt nh\xE0 n\u01B0\u1EDBc: kh\xF3a s\u1ED5 n\u0103m t\u1EA1i m\u1EE5c S\u1ED5 b\xED m\u1EADt nh\xE0 n\u01B0\u1EDBc, sau khi in s\u1ED5 (PDF) c\u1EA3 n\u0103m.",
  "secretRegister.copyYearClosed": "S\u1ED5 qu\u1EA3n l\xFD sao, ch\u1EE5p b\xED m\u1EADt nh\xE0 n\u01B0\u1EDBc n\u0103m {{year}} \u0111\xE3 kh\xF3a s\u1ED5: kh\xF4ng ghi th\xEAm b\u1EA3n sao v\xE0o d\xE3y s\u1ED1 n\u0103m {{year}} \u0111\u01B0\u1EE3c. H\xE3y ki\u1EC3m tra ng\xE0y gi\u1EDD c\u1EE7a m\xE1y tr\u1EA1m.",
  "pdf.changedAfterSigning": "T\u1EC7p \u201C{{name}}\u201D \u0111\xE3 b\u1ECB s\u1EEDa \u0111\u1ED5i sau khi k\xFD s\u1ED1 (ch\u1EEF k\xFD cu\u1ED1i c\xF9ng kh\xF4ng b\u1EA3o \u0111\u1EA3m to\xE0n b\u1ED9 t\u1EC7p): kh\xF4ng v\xE0o s\u1ED5 t\u1EC7p n\xE0y. H\xE3y \u0111\u1EC1 ngh\u1ECB c\u01A1 quan ban h\xE0nh g\u1EEDi l\u1EA1i v\u0103n b\u1EA3n.",
  "pdf.appendedAfterSigning": "T\u1EC7p \u201C{{name}}\u201D c\xF3 d\u1EEF li\u1EC7u \u0111\u01B0\u1EE3c th\xEAm v\xE0o sau ch\u1EEF k\xFD s\u1ED1 (ch\u1EEF k\xFD ch\u1EC9 b\u1EA3o \u0111\u1EA3m m\u1ED9t ph\u1EA7n c\u1EE7a t\u1EC7p): kh\xF4ng v\xE0o s\u1ED5 t\u1EC7p n\xE0y. H\xE3y \u0111\u1EC1 ngh\u1ECB c\u01A1 quan ban h\xE0nh g\u1EEDi l\u1EA1i v\u0103n b\u1EA3n.",
  // Work files (main/core/workfiles)
  "workFile.notationRequired": "Ch\u01B0a nh\u1EADp s\u1ED1 v\xE0 k\xFD hi\u1EC7u h\u1ED3 s\u01A1.",
  "workFile.notationInvalid": "S\u1ED1 v\xE0 k\xFD hi\u1EC7u h\u1ED3 s\u01A1 ch\u1EC9 g\u1ED3m ch\u1EEF, s\u1ED1 v\xE0 c\xE1c d\u1EA5u \u201C.\u201D, \u201C-\u201D, \u201C/\u201D (v\xED d\u1EE5 01.TH).",
  "workFile.retentionInvalid": "Th\u1EDDi h\u1EA1n b\u1EA3o qu\u1EA3n l\xE0 s\u1ED1 n\u0103m (1\u2013100) ho\u1EB7c \u201CV\u0129nh vi\u1EC5n\u201D.",
  "workFile.titleRequired": "Ch\u01B0a nh\u1EADp ti\xEAu \u0111\u1EC1 h\u1ED3 s\u01A1.",
  "workFile.kindUnknown": "Lo\u1EA1i v\u0103n b\u1EA3n kh\xF4ng h\u1EE3p l\u1EC7.",
  "workFile.kindUnsupported": "Ch\u01B0a th\xEAm \u0111\u01B0\u1EE3c lo\u1EA1i v\u0103n b\u1EA3n n\xE0y v\xE0o h\u1ED3 s\u01A1 tr\xEAn m\xE1y tr\u1EA1m n\xE0y.",
  "workFile.notFound": "Kh\xF4ng t\xECm th\u1EA5y h\u1ED3 s\u01A1.",
  "workFile.listNotAllowed": "Ch\u1EC9 v\u0103n th\u01B0 ho\u1EB7c l\xE3nh \u0111\u1EA1o \u0111\u01B0\u1EE3c l\u1EADp v\xE0 s\u1EEDa danh m\u1EE5c h\u1ED3 s\u01A1.",
  "workFile.codeTaken": "M\xE3 h\u1ED3 s\u01A1 {{code}} \u0111\xE3 c\xF3 trong danh m\u1EE5c h\u1ED3 s\u01A1 n\u0103m {{year}}.",
  "workFile.yearClosed": "Danh m\u1EE5c h\u1ED3 s\u01A1 n\u0103m {{year}} \u0111\xE3 kh\xF3a: kh\xF4ng th\xEAm hay s\u1EEDa h\u1ED3 s\u01A1 trong danh m\u1EE5c \u0111\u01B0\u1EE3c.",
  "workFile.yearAlreadyClosed": "Danh m\u1EE5c h\u1ED3 s\u01A1 n\u0103m {{year}} \u0111\xE3 kh\xF3a t\u1EEB tr\u01B0\u1EDBc.",
  "workFile.closed": "H\u1ED3 s\u01A1 {{code}} \u0111\xE3 \u0111\xF3ng: kh\xF4ng thay \u0111\u1ED5i \u0111\u01B0\u1EE3c.",
  "workFile.archived": "H\u1ED3 s\u01A1 {{code}} \u0111\xE3 n\u1ED9p l\u01B0u: ch\u1EC9 xem \u0111\u01B0\u1EE3c.",
  "workFile.notOpen": "H\u1ED3 s\u01A1 {{code}} ch\u01B0a \u0111\u01B0\u1EE3c m\u1EDF: h\xE3y m\u1EDF h\u1ED3 s\u01A1 tr\u01B0\u1EDBc khi th\xEAm v\u0103n b\u1EA3n.",
  "workFile.alreadyOpen": "H\u1ED3 s\u01A1 {{code}} \u0111\xE3 \u0111\u01B0\u1EE3c m\u1EDF.",
  "workFile.notHandler": "Ch\u1EC9 ng\u01B0\u1EDDi l\u1EADp h\u1ED3 s\u01A1 {{code}} ho\u1EB7c l\xE3nh \u0111\u1EA1o \u0111\u01B0\u1EE3c thay \u0111\u1ED5i h\u1ED3 s\u01A1 n\xE0y.",
  "workFile.notResponsible": "H\u1ED3 s\u01A1 {{code}} \u0111\u01B0\u1EE3c giao cho ng\u01B0\u1EDDi kh\xE1c l\u1EADp.",
  "workFile.aboveClearance": "H\u1ED3 s\u01A1 {{code}} c\xF3 v\u0103n b\u1EA3n \u1EDF \u0111\u1ED9 m\u1EADt cao h\u01A1n quy\u1EC1n c\u1EE7a b\u1EA1n: b\u1EA1n kh\xF4ng thay \u0111\u1ED5i, \u0111\xF3ng hay xu\u1EA5t h\u1ED3 s\u01A1 n\xE0y \u0111\u01B0\u1EE3c.",
  "workFile.docNotVisible": "B\u1EA1n kh\xF4ng \u0111\u01B0\u1EE3c xem v\u0103n b\u1EA3n n\xE0y (kh\xF4ng thu\u1ED9c ph\u1EA1m vi \u0111\u01B0\u1EE3c bi\u1EBFt), n\xEAn kh\xF4ng th\xEAm v\xE0o h\u1ED3 s\u01A1 \u0111\u01B0\u1EE3c.",
  "workFile.docAlready": "V\u0103n b\u1EA3n \u0111\xE3 c\xF3 trong h\u1ED3 s\u01A1 {{code}}.",
  "workFile.docNotInFile": "V\u0103n b\u1EA3n kh\xF4ng c\xF3 trong h\u1ED3 s\u01A1 {{code}}.",
  "workFile.empty": "H\u1ED3 s\u01A1 {{code}} ch\u01B0a c\xF3 v\u0103n b\u1EA3n n\xE0o: kh\xF4ng \u0111\xF3ng \u0111\u01B0\u1EE3c.",
  "workFile.notClosed": "H\u1ED3 s\u01A1 {{code}} ch\u01B0a \u0111\xF3ng: ch\u1EC9 xu\u1EA5t ho\u1EB7c n\u1ED9p l\u01B0u h\u1ED3 s\u01A1 \u0111\xE3 \u0111\xF3ng.",
  "workFile.sealedDocument": "H\u1ED3 s\u01A1 c\xF3 v\u0103n b\u1EA3n \u201CCh\u1EC9 ng\u01B0\u1EDDi c\xF3 t\xEAn m\u1EDBi \u0111\u01B0\u1EE3c b\xF3c b\xEC\u201D c\u1EE7a ng\u01B0\u1EDDi kh\xE1c: b\u1EA1n kh\xF4ng xu\u1EA5t h\u1ED3 s\u01A1 n\xE0y \u0111\u01B0\u1EE3c.",
  "workFile.noPdf": "V\u0103n b\u1EA3n {{document}} trong h\u1ED3 s\u01A1 kh\xF4ng c\xF3 t\u1EC7p PDF: kh\xF4ng gh\xE9p \u0111\u01B0\u1EE3c v\xE0o h\u1ED3 s\u01A1.",
  "workFile.responsibleUnknown": "Kh\xF4ng t\xECm th\u1EA5y \u0111\u01A1n v\u1ECB ho\u1EB7c ng\u01B0\u1EDDi \u0111\u01B0\u1EE3c giao l\u1EADp h\u1ED3 s\u01A1.",
  "workFile.closedInFuture": "Ng\xE0y \u0111\xF3ng h\u1ED3 s\u01A1 kh\xF4ng \u0111\u01B0\u1EE3c sau h\xF4m nay.",
  "workFile.closedBeforeDocuments": "Ng\xE0y \u0111\xF3ng h\u1ED3 s\u01A1 kh\xF4ng \u0111\u01B0\u1EE3c tr\u01B0\u1EDBc ng\xE0y c\u1EE7a v\u0103n b\u1EA3n cu\u1ED1i c\xF9ng ({{date}}).",
  "workFile.unreadableDocument": "Kh\xF4ng \u0111\u1ECDc \u0111\u01B0\u1EE3c t\u1EC7p PDF c\u1EE7a v\u0103n b\u1EA3n {{document}}: kh\xF4ng gh\xE9p \u0111\u01B0\u1EE3c v\xE0o h\u1ED3 s\u01A1.",
  "archive.noFiles": "Ch\u01B0a ch\u1ECDn h\u1ED3 s\u01A1 n\xE0o \u0111\u1EC3 n\u1ED9p l\u01B0u.",
  "archive.receiverRequired": "Ch\u01B0a nh\u1EADp ng\u01B0\u1EDDi nh\u1EADn c\u1EE7a l\u01B0u tr\u1EEF c\u01A1 quan.",
  "archive.archiveRequired": "Ch\u01B0a nh\u1EADp t\xEAn l\u01B0u tr\u1EEF c\u01A1 quan.",
  "archive.notAllowed": "Ch\u1EC9 v\u0103n th\u01B0 \u0111\u01B0\u1EE3c giao n\u1ED9p h\u1ED3 s\u01A1 v\xE0o l\u01B0u tr\u1EEF c\u01A1 quan.",
  "archive.inFuture": "Ng\xE0y giao n\u1ED9p kh\xF4ng \u0111\u01B0\u1EE3c sau h\xF4m nay.",
  "archive.duplicateFile": "M\u1ED9t h\u1ED3 s\u01A1 \u0111\u01B0\u1EE3c ch\u1ECDn hai l\u1EA7n.",
  "archive.notFound": "Kh\xF4ng t\xECm th\u1EA5y bi\xEAn b\u1EA3n giao n\u1ED9p.",
  // Outgoing documents (main/core/outgoing)
  "outgoing.mainFileRequired": "Ch\u01B0a ch\u1ECDn t\u1EC7p v\u0103n b\u1EA3n ch\xEDnh (PDF).",
  "outgoing.mainNotPdf": "T\u1EC7p v\u0103n b\u1EA3n ch\xEDnh ph\u1EA3i l\xE0 PDF: \u201C{{name}}\u201D kh\xF4ng ph\u1EA3i PDF.",
  "outgoing.commentRequired": "Ch\u01B0a nh\u1EADp \xFD ki\u1EBFn.",
  "outgoing.reasonRequired": "Ch\u01B0a nh\u1EADp l\xFD do.",
  "outgoing.typeNotIssued": "C\u01A1 quan kh\xF4ng ban h\xE0nh lo\u1EA1i v\u0103n b\u1EA3n \u201C{{type}}\u201D theo m\u1EABu s\u1ED1, k\xFD hi\u1EC7u \u0111ang d\xF9ng.",
  "outgoing.signerUnknown": "Ng\u01B0\u1EDDi k\xFD \u0111\xE3 ch\u1ECDn kh\xF4ng c\xF3 ho\u1EB7c \u0111\xE3 ng\u1EEBng ho\u1EA1t \u0111\u1ED9ng.",
  "outgoing.signerNotLeader": "{{name}} kh\xF4ng ph\u1EA3i l\xE3nh \u0111\u1EA1o: ch\u1EC9 l\xE3nh \u0111\u1EA1o m\u1EDBi k\xFD ban h\xE0nh v\u0103n b\u1EA3n.",
  "outgoing.notCleared": "{{name}} ch\u01B0a \u0111\u01B0\u1EE3c ph\xE9p ti\u1EBFp c\u1EADn v\u0103n b\u1EA3n {{level}}.",
  "outgoing.approverUnknown": "Ng\u01B0\u1EDDi duy\u1EC7t \u0111\xE3 ch\u1ECDn kh\xF4ng c\xF3 ho\u1EB7c \u0111\xE3 ng\u1EEBng ho\u1EA1t \u0111\u1ED9ng.",
  "outgoing.approverRepeated": "{{name}} c\xF3 t\xEAn hai l\u1EA7n trong danh s\xE1ch duy\u1EC7t.",
  "outgoing.notDrafter": "Ch\u1EC9 ng\u01B0\u1EDDi so\u1EA1n th\u1EA3o ({{name}}) m\u1EDBi s\u1EEDa ho\u1EB7c tr\xECnh \u0111\u01B0\u1EE3c d\u1EF1 th\u1EA3o n\xE0y.",
  "outgoing.notEditable": "V\u0103n b\u1EA3n \u0111ang \u1EDF tr\u1EA1ng th\xE1i \u201C{{status}}\u201D: kh\xF4ng s\u1EEDa \u0111\u01B0\u1EE3c.",
  "outgoing.wrongState": "V\u0103n b\u1EA3n \u0111ang \u1EDF tr\u1EA1ng th\xE1i \u201C{{status}}\u201D: kh\xF4ng th\u1EF1c hi\u1EC7n \u0111\u01B0\u1EE3c thao t\xE1c n\xE0y.",
  "outgoing.notYourTurn": "Ch\u01B0a \u0111\u1EBFn l\u01B0\u1EE3t b\u1EA1n duy\u1EC7t: v\u0103n b\u1EA3n \u0111ang ch\u1EDD {{name}} duy\u1EC7t.",
  "outgoing.alreadyApproved": "B\u1EA1n \u0111\xE3 duy\u1EC7t v\u0103n b\u1EA3n n\xE0y l\xFAc {{time}}.",
  "outgoing.notApprover": "B\u1EA1n kh\xF4ng c\xF3 t\xEAn trong danh s\xE1ch duy\u1EC7t v\u0103n b\u1EA3n n\xE0y.",
  "outgoing.notApproved": "V\u0103n b\u1EA3n ch\u01B0a \u0111\u01B0\u1EE3c duy\u1EC7t xong: ch\u01B0a k\xFD \u0111\u01B0\u1EE3c.",
  "outgoing.notSigner": "Ch\u1EC9 {{name}}, ng\u01B0\u1EDDi k\xFD \u0111\u01B0\u1EE3c ch\u1EC9 \u0111\u1ECBnh, m\u1EDBi k\xFD \u0111\u01B0\u1EE3c v\u0103n b\u1EA3n n\xE0y.",
  "outgoing.signerFirst": "Ch\u1EEF k\xFD s\u1ED1 c\u1EE7a c\u01A1 quan ch\u1EC9 \u0111\u01B0\u1EE3c k\xFD sau ch\u1EEF k\xFD c\u1EE7a ng\u01B0\u1EDDi c\xF3 th\u1EA9m quy\u1EC1n.",
  "outgoing.notClerk": "Ch\u1EC9 v\u0103n th\u01B0 m\u1EDBi \u0111\u01B0\u1EE3c k\xFD s\u1ED1 c\u01A1 quan, c\u1EA5p s\u1ED1 v\xE0 ban h\xE0nh v\u0103n b\u1EA3n.",
  "outgoing.certNotBound": "Ch\u1EE9ng th\u01B0 s\u1ED1 \u201C{{name}}\u201D kh\xF4ng g\u1EAFn v\u1EDBi b\u1EA1n tr\xEAn m\xE1y tr\u1EA1m n\xE0y.",
  "outgoing.certExpired": "Ch\u1EE9ng th\u01B0 s\u1ED1 \u201C{{name}}\u201D kh\xF4ng c\xF2n hi\u1EC7u l\u1EF1c (t\u1EEB {{from}} \u0111\u1EBFn {{to}}).",
  "outgoing.certKeyUsage": "Ch\u1EE9ng th\u01B0 s\u1ED1 \u201C{{name}}\u201D kh\xF4ng d\xF9ng \u0111\u1EC3 k\xFD s\u1ED1.",
  "outgoing.notAgencyCert": "Ch\u1EE9ng th\u01B0 s\u1ED1 \u201C{{name}}\u201D kh\xF4ng ph\u1EA3i ch\u1EE9ng th\u01B0 s\u1ED1 c\u1EE7a c\u01A1 quan.",
  "outgoing.alreadyIssued": "V\u0103n b\u1EA3n \u0111\xE3 \u0111\u01B0\u1EE3c ban h\xE0nh v\u1EDBi s\u1ED1, k\xFD hi\u1EC7u {{number}} ng\xE0y {{date}}.",
  "outgoing.notSigned": "V\u0103n b\u1EA3n ch\u01B0a \u0111\u01B0\u1EE3c k\xFD s\u1ED1 \u0111\u1EE7: ch\u01B0a c\u1EA5p s\u1ED1 v\xE0 ban h\xE0nh \u0111\u01B0\u1EE3c.",
  "outgoing.signedOtherDay": "V\u0103n b\u1EA3n \u0111\u01B0\u1EE3c k\xFD s\u1ED1 ng\xE0y {{date}}: s\u1ED1 v\xE0 ng\xE0y v\u0103n b\u1EA3n ph\u1EA3i c\u1EA5p trong ng\xE0y k\xFD. H\xE3y k\xFD s\u1ED1 l\u1EA1i r\u1ED3i ban h\xE0nh.",
  "outgoing.issuedFrozen": "V\u0103n b\u1EA3n \u0111\xE3 ban h\xE0nh: kh\xF4ng s\u1EEDa \u0111\u01B0\u1EE3c. Mu\u1ED1n thay \u0111\u1ED5i, h\xE3y ban h\xE0nh v\u0103n b\u1EA3n thay th\u1EBF.",
  "outgoing.notIssued": "Ch\u1EC9 thu h\u1ED3i ho\u1EB7c thay th\u1EBF \u0111\u01B0\u1EE3c v\u0103n b\u1EA3n \u0111\xE3 ban h\xE0nh.",
  "outgoing.alreadyRecalled": "V\u0103n b\u1EA3n \u0111\xE3 b\u1ECB thu h\u1ED3i l\xFAc {{time}}.",
  "outgoing.alreadyReplaced": "V\u0103n b\u1EA3n \u0111\xE3 \u0111\u01B0\u1EE3c thay th\u1EBF b\u1EB1ng v\u0103n b\u1EA3n kh\xE1c.",
  "outgoing.replaceSelf": "V\u0103n b\u1EA3n kh\xF4ng th\u1EC3 thay th\u1EBF ch\xEDnh n\xF3.",
  "outgoing.mayNotRecall": "Ch\u1EC9 v\u0103n th\u01B0 ho\u1EB7c l\xE3nh \u0111\u1EA1o m\u1EDBi \u0111\u01B0\u1EE3c thu h\u1ED3i v\u0103n b\u1EA3n.",
  "outgoing.sealInvalid": "\u1EA2nh con d\u1EA5u kh\xF4ng d\xF9ng \u0111\u01B0\u1EE3c: {{reason}}.",
  "outgoing.approverNoAuthority": "{{name}} kh\xF4ng ph\u1EA3i l\xE3nh \u0111\u1EA1o v\xE0 kh\xF4ng \u0111\u01B0\u1EE3c giao quy\u1EC1n duy\u1EC7t v\u0103n b\u1EA3n v\xE0o ng\xE0y {{date}}.",
  "outgoing.signerNoAuthority": "{{name}} kh\xF4ng c\xF2n l\xE0 l\xE3nh \u0111\u1EA1o ho\u1EB7c kh\xF4ng c\xF2n quy\u1EC1n k\xFD v\xE0o ng\xE0y {{date}}: ch\u01B0a k\xFD \u0111\u01B0\u1EE3c.",
  "outgoing.agencyKeyRequired": "C\u1EA7n kh\xF3a k\xFD s\u1ED1 c\u1EE7a c\u01A1 quan tr\xEAn thi\u1EBFt b\u1ECB c\u1EE7a v\u0103n th\u01B0 \u0111\u1EC3 k\xFD s\u1ED1 c\u01A1 quan v\xE0 ban h\xE0nh.",
  "outgoing.yearInPartyForm": "S\u1ED1, k\xFD hi\u1EC7u v\u0103n b\u1EA3n c\u1EE7a \u0110\u1EA3ng kh\xF4ng ghi n\u0103m: kh\xF4ng \xE1p d\u1EE5ng \u0111\u01B0\u1EE3c cho lo\u1EA1i \u201C{{type}}\u201D.",
  "outgoing.yearTypeNotIssued": "C\u01A1 quan kh\xF4ng ban h\xE0nh lo\u1EA1i v\u0103n b\u1EA3n \u201C{{type}}\u201D: kh\xF4ng \u0111\u1EB7t \u0111\u01B0\u1EE3c quy t\u1EAFc ghi n\u0103m v\xE0o s\u1ED1.",
  "outgoing.recipientUnknown": "Kh\xF4ng t\xECm th\u1EA5y n\u01A1i nh\u1EADn \u0111\xE3 ch\u1ECDn.",
  "outgoing.noRegister": "Ch\u01B0a c\xF3 s\u1ED5 \u0111\u0103ng k\xFD v\u0103n b\u1EA3n \u0111i cho v\u0103n b\u1EA3n {{level}}.",
  "outgoing.noMainFile": "V\u0103n b\u1EA3n kh\xF4ng c\xF3 t\u1EC7p ch\xEDnh \u0111\u1EC3 k\xFD.",
  "outgoing.signatureForbidsChanges": "Ch\u1EEF k\xFD tr\xEAn t\u1EC7p l\xE0 ch\u1EEF k\xFD ch\u1EE9ng th\u1EF1c kh\xF4ng cho ph\xE9p b\u1EA5t k\u1EF3 thay \u0111\u1ED5i n\xE0o (DocMDP P=1): ghi s\u1ED1, k\xFD hi\u1EC7u v\xE0 ng\xE0y ban h\xE0nh v\xE0o t\u1EC7p s\u1EBD l\xE0m ch\u1EEF k\xFD \u0111\xF3 m\u1EA5t hi\u1EC7u l\u1EF1c. Ch\u01B0a c\u1EA5p s\u1ED1; v\u0103n b\u1EA3n ch\u01B0a \u0111\u01B0\u1EE3c ban h\xE0nh.",
  // edXML packets (main/core/exchange/edxml): why a packet is refused, also the reason a status 02 carries
  "edxml.EDXML_TOO_LARGE": "G\xF3i tin v\u01B0\u1EE3t qu\xE1 dung l\u01B0\u1EE3ng cho ph\xE9p.",
  "edxml.EDXML_ENCODING": "G\xF3i tin kh\xF4ng ph\u1EA3i v\u0103n b\u1EA3n m\xE3 UTF-8.",
  "edxml.EDXML_MALFORMED": "G\xF3i tin kh\xF4ng \u0111\xFAng c\xFA ph\xE1p XML.",
  "edxml.EDXML_DOCTYPE": "G\xF3i tin c\xF3 khai b\xE1o DOCTYPE, kh\xF4ng \u0111\u01B0\u1EE3c ph\xE9p trong edXML.",
  "edxml.EDXML_ENTITY_DECLARED": "G\xF3i tin t\u1EF1 khai b\xE1o th\u1EF1c th\u1EC3 (entity), kh\xF4ng \u0111\u01B0\u1EE3c ph\xE9p.",
  "edxml.EDXML_ENTITY_EXPANSION": "G\xF3i tin khai b\xE1o th\u1EF1c th\u1EC3 l\u1ED3ng nhau (t\u1EA5n c\xF4ng khu\u1EBFch \u0111\u1EA1i th\u1EF1c th\u1EC3).",
  "edxml.EDXML_EXTERNAL_ENTITY": "G\xF3i tin tham chi\u1EBFu th\u1EF1c th\u1EC3 ho\u1EB7c DTD b\xEAn ngo\xE0i (XXE).",
  "edxml.EDXML_UNKNOWN_ENTITY": "G\xF3i tin d\xF9ng th\u1EF1c th\u1EC3 kh\xF4ng \u0111\u01B0\u1EE3c khai b\xE1o.",
  "edxml.EDXML_TOO_DEEP": "G\xF3i tin l\u1ED3ng ph\u1EA7n t\u1EED qu\xE1 s\xE2u.",
  "edxml.EDXML_NOT_EDXML": "T\u1EC7p XML kh\xF4ng ph\u1EA3i g\xF3i tin edXML.",
  "edxml.EDXML_MISSING": "G\xF3i tin thi\u1EBFu th\xF4ng tin b\u1EAFt bu\u1ED9c.",
  "edxml.EDXML_BAD_VALUE": "G\xF3i tin c\xF3 gi\xE1 tr\u1ECB kh\xF4ng h\u1EE3p l\u1EC7.",
  "edxml.EDXML_ATTACHMENT_TOO_LARGE": "T\u1EC7p \u0111\xEDnh k\xE8m v\u01B0\u1EE3t qu\xE1 dung l\u01B0\u1EE3ng cho ph\xE9p.",
  "edxml.EDXML_TOO_MANY_ATTACHMENTS": "G\xF3i tin c\xF3 qu\xE1 nhi\u1EC1u t\u1EC7p \u0111\xEDnh k\xE8m.",
  "edxml.EDXML_BAD_BASE64": "T\u1EC7p \u0111\xEDnh k\xE8m kh\xF4ng gi\u1EA3i m\xE3 \u0111\u01B0\u1EE3c (base64 h\u1ECFng).",
  "edxml.EDXML_FILE_COUNT": "S\u1ED1 t\u1EC7p \u0111\xEDnh k\xE8m kh\xF4ng kh\u1EDBp v\u1EDBi danh m\u1EE5c trong g\xF3i tin.",
  "edxml.EDXML_PAGE_COUNT": "S\u1ED1 trang khai b\xE1o kh\xF4ng kh\u1EDBp v\u1EDBi v\u0103n b\u1EA3n \u0111\xEDnh k\xE8m.",
  "edxml.EDXML_BAD_DATE": "Kh\xF4ng \u0111\u1ECDc \u0111\u01B0\u1EE3c ng\xE0y th\xE1ng.",
  "edxml.EDXML_BAD_ZIP": "Kh\xF4ng \u0111\u1ECDc \u0111\u01B0\u1EE3c t\u1EC7p n\xE9n \u0111\xEDnh k\xE8m.",
  "edxml.EDXML_INPUT": "D\u1EEF li\u1EC7u \u0111\u1EC3 l\u1EADp g\xF3i tin kh\xF4ng h\u1EE3p l\u1EC7.",
  "edxml.EDXML_SIGNATURE": "Ch\u1EEF k\xFD s\u1ED1 c\u1EE7a g\xF3i tin kh\xF4ng h\u1EE3p l\u1EC7.",
  "edxml.EDXML_ENVELOPE": "G\xF3i tin m\xE3 h\xF3a b\u1ECB h\u1ECFng.",
  "sync.notConfigured": "M\xE1y tr\u1EA1m ch\u01B0a \u0111\u01B0\u1EE3c c\u1EA5u h\xECnh m\xE1y ch\u1EE7 c\u1EE7a c\u01A1 quan (machine.json, agencyServer): m\xE1y \u0111ang l\xE0m vi\u1EC7c \u0111\u1ED9c l\u1EADp.",
  "sync.adminRefused": "M\xE1y ch\u1EE7 c\u1EE7a c\u01A1 quan t\u1EEB ch\u1ED1i: ch\u1EE9ng th\u01B0 tr\xEAn thi\u1EBFt b\u1ECB k\xFD s\u1ED1 c\u1EE7a b\u1EA1n kh\xF4ng \u0111\u01B0\u1EE3c \u0111\u0103ng k\xFD tr\xEAn m\xE1y ch\u1EE7 v\u1EDBi vai tr\xF2 qu\u1EA3n tr\u1ECB.",
  "sync.serverUnreachable": "Ch\u01B0a li\xEAn l\u1EA1c \u0111\u01B0\u1EE3c m\xE1y ch\u1EE7 c\u1EE7a c\u01A1 quan ({{error}}). H\xE3y th\u1EED l\u1EA1i khi c\xF3 k\u1EBFt n\u1ED1i.",
  "sync.serverRefused": "M\xE1y ch\u1EE7 c\u1EE7a c\u01A1 quan t\u1EEB ch\u1ED1i y\xEAu c\u1EA7u: {{error}}",
  "exchange.notIssued": "Ch\u1EC9 g\u1EEDi \u0111\u01B0\u1EE3c v\u0103n b\u1EA3n \u0111\xE3 ban h\xE0nh (ho\u1EB7c th\xF4ng b\xE1o thu h\u1ED3i v\u0103n b\u1EA3n \u0111\xE3 thu h\u1ED3i).",
  "exchange.noAgencyCode": "C\u01A1 quan ch\u01B0a c\xF3 m\xE3 \u0111\u1ECBnh danh: kh\xF4ng l\u1EADp \u0111\u01B0\u1EE3c g\xF3i tin edXML.",
  "exchange.noRecipientCertificate": "Ch\u01B0a c\xF3 ch\u1EE9ng th\u01B0 m\xE3 h\xF3a c\u1EE7a c\u01A1 quan nh\u1EADn {{code}}: v\u0103n b\u1EA3n m\u1EADt kh\xF4ng \u0111\u01B0\u1EE3c g\u1EEDi khi ch\u01B0a m\xE3 h\xF3a \u0111\u01B0\u1EE3c.",
  // Register outputs closed at year end (reports/closedYears.ts) and work files' need-to-know
  "registerYear.notCloser": "B\u1EA1n kh\xF4ng c\xF3 quy\u1EC1n kh\xF3a {{register}} (v\u0103n th\u01B0 ho\u1EB7c l\xE3nh \u0111\u1EA1o).",
  "registerYear.needsWholeRegister": "Kh\xF3a {{register}} c\u1EA7n ng\u01B0\u1EDDi xem \u0111\u01B0\u1EE3c to\xE0n b\u1ED9 s\u1ED5: v\u0103n th\u01B0 ho\u1EB7c l\xE3nh \u0111\u1EA1o gi\u1EEF kh\xF3a c\u1EE7a m\u1ECDi \u0111\u1ED9 m\u1EADt s\u1ED5 ghi.",
  "registerYear.future": "N\u0103m {{year}} ch\u01B0a \u0111\u1EBFn: kh\xF4ng kh\xF3a s\u1ED5 tr\u01B0\u1EDBc \u0111\u01B0\u1EE3c.",
  "registerYear.alreadyClosed": "{{register}} n\u0103m {{year}} \u0111\xE3 kh\xF3a s\u1ED5 l\xFAc {{time}}.",
  "registerYear.changedWhileClosing": "{{register}} n\u0103m {{year}} v\u1EEBa thay \u0111\u1ED5i trong l\xFAc kh\xF3a s\u1ED5: h\xE3y kh\xF3a s\u1ED5 l\u1EA1i.",
  "registerYear.issueClosed": "{{register}} n\u0103m {{year}} \u0111\xE3 kh\xF3a s\u1ED5 l\xFAc {{time}}: kh\xF4ng ban h\xE0nh v\u0103n b\u1EA3n v\xE0o n\u0103m \u0111\xE3 kh\xF3a s\u1ED5 \u0111\u01B0\u1EE3c.",
  "registerYear.processingClosed": "S\u1ED5 theo d\xF5i gi\u1EA3i quy\u1EBFt v\u0103n b\u1EA3n \u0111\u1EBFn n\u0103m {{year}} \u0111\xE3 kh\xF3a s\u1ED5 l\xFAc {{time}}: kh\xF4ng thay \u0111\u1ED5i vi\u1EC7c gi\u1EA3i quy\u1EBFt v\u0103n b\u1EA3n \u0111\u1EBFn n\u0103m {{year}} \u0111\u01B0\u1EE3c.",
  "workFile.notIssued": "V\u0103n b\u1EA3n \u0111i n\xE0y ch\u01B0a ban h\xE0nh: h\xE3y th\xEAm v\xE0o h\u1ED3 s\u01A1 nh\u01B0 m\u1ED9t d\u1EF1 th\u1EA3o.",
  "workFile.shareNotAllowed": "Ch\u1EC9 ng\u01B0\u1EDDi l\u1EADp h\u1ED3 s\u01A1 {{code}}, l\xE3nh \u0111\u1EA1o ho\u1EB7c v\u0103n th\u01B0 m\u1EDBi chia s\u1EBB \u0111\u01B0\u1EE3c h\u1ED3 s\u01A1.",
  "workFile.shareNotCleared": "{{name}} ch\u01B0a \u0111\u01B0\u1EE3c c\u1EA5p \u0111\u1ED9 m\u1EADt {{level}} c\u1EE7a h\u1ED3 s\u01A1: kh\xF4ng chia s\u1EBB \u0111\u01B0\u1EE3c.",
  "workFile.shareUnknown": "Kh\xF4ng t\xECm th\u1EA5y ng\u01B0\u1EDDi \u0111\u01B0\u1EE3c chia s\u1EBB h\u1ED3 s\u01A1.",
  // The legacy import in the window (main/core/import/zipSource.ts, ImportWindowService.ts)
  "import.zip.climbsOut": "T\u1EC7p n\xE9n b\u1ECB t\u1EEB ch\u1ED1i: m\u1EE5c \u201C{{entry}}\u201D tr\u1ECF ra ngo\xE0i th\u01B0 m\u1EE5c (c\xF3 \u201C..\u201D).",
  "import.zip.absolutePath": "T\u1EC7p n\xE9n b\u1ECB t\u1EEB ch\u1ED1i: m\u1EE5c \u201C{{entry}}\u201D l\xE0 \u0111\u01B0\u1EDDng d\u1EABn tuy\u1EC7t \u0111\u1ED1i ho\u1EB7c c\xF3 k\xFD hi\u1EC7u \u1ED5 \u0111\u0129a.",
  "import.zip.backslash": "T\u1EC7p n\xE9n b\u1ECB t\u1EEB ch\u1ED1i: m\u1EE5c \u201C{{entry}}\u201D d\xF9ng d\u1EA5u \u201C\\\u201D trong \u0111\u01B0\u1EDDng d\u1EABn.",
  "import.zip.link": "T\u1EC7p n\xE9n b\u1ECB t\u1EEB ch\u1ED1i: m\u1EE5c \u201C{{entry}}\u201D l\xE0 li\xEAn k\u1EBFt (symlink).",
  "import.zip.tooManyEntries": "T\u1EC7p n\xE9n b\u1ECB t\u1EEB ch\u1ED1i: c\xF3 {{count}} m\u1EE5c, v\u01B0\u1EE3t gi\u1EDBi h\u1EA1n {{max}}.",
  "import.zip.tooLarge": "T\u1EC7p n\xE9n b\u1ECB t\u1EEB ch\u1ED1i: gi\u1EA3i n\xE9n ra {{size}}, v\u01B0\u1EE3t gi\u1EDBi h\u1EA1n {{max}}.",
  "import.zip.ratio": "T\u1EC7p n\xE9n b\u1ECB t\u1EEB ch\u1ED1i: m\u1EE5c \u201C{{entry}}\u201D n\u1EDF ra g\u1EA5p {{ratio}} l\u1EA7n (bom n\xE9n).",
  "import.zip.sizeLies": "T\u1EC7p n\xE9n b\u1ECB t\u1EEB ch\u1ED1i: m\u1EE5c \u201C{{entry}}\u201D gi\u1EA3i n\xE9n ra nhi\u1EC1u h\u01A1n k\xEDch th\u01B0\u1EDBc \u0111\xE3 khai.",
  "import.zip.encrypted": "T\u1EC7p n\xE9n b\u1ECB t\u1EEB ch\u1ED1i: m\u1EE5c \u201C{{entry}}\u201D \u0111\u01B0\u1EE3c \u0111\u1EB7t m\u1EADt kh\u1EA9u.",
  "import.zip.method": "T\u1EC7p n\xE9n b\u1ECB t\u1EEB ch\u1ED1i: m\u1EE5c \u201C{{entry}}\u201D d\xF9ng ki\u1EC3u n\xE9n kh\xF4ng h\u1ED7 tr\u1EE3.",
  "import.zip.damaged": "T\u1EC7p n\xE9n b\u1ECB h\u1ECFng, kh\xF4ng \u0111\u1ECDc \u0111\u01B0\u1EE3c.",
  "import.zip.duplicateEntry": "T\u1EC7p n\xE9n b\u1ECB t\u1EEB ch\u1ED1i: m\u1EE5c \u201C{{entry}}\u201D xu\u1EA5t hi\u1EC7n h\u01A1n m\u1ED9t l\u1EA7n.",
  "import.zip.noRegister": "T\u1EC7p n\xE9n kh\xF4ng c\xF3 s\u1ED5 (CSV, TSV, XLSX ho\u1EB7c DBF).",
  "import.zip.chooseRegister": "T\u1EC7p n\xE9n c\xF3 nhi\u1EC1u s\u1ED5: h\xE3y ch\u1ECDn m\u1ED9t.",
  "import.source.notRegister": "T\u1EC7p \u201C{{name}}\u201D kh\xF4ng ph\u1EA3i s\u1ED5 CSV, TSV, XLSX, DBF hay t\u1EC7p n\xE9n ZIP.",
  "import.source.gone": "T\u1EC7p ngu\u1ED3n c\u1EE7a l\u1EA7n nh\u1EADp n\xE0y kh\xF4ng c\xF2n trong v\xF9ng t\u1EC7p t\u1EA1m.",
  "import.source.quoteNotClosed": "T\u1EC7p \u201C{{name}}\u201D b\u1ECB h\u1ECFng: d\u1EA5u ngo\u1EB7c k\xE9p m\u1EDF \u1EDF d\xF2ng {{line}}, c\u1ED9t {{column}} kh\xF4ng \u0111\u01B0\u1EE3c \u0111\xF3ng. Kh\xF4ng d\xF2ng n\xE0o \u0111\u01B0\u1EE3c nh\u1EADp.",
  "import.source.recordTooLarge": "T\u1EC7p \u201C{{name}}\u201D b\u1ECB h\u1ECFng: b\u1EA3n ghi b\u1EAFt \u0111\u1EA7u \u1EDF d\xF2ng {{line}} d\xE0i b\u1EA5t th\u01B0\u1EDDng (th\u01B0\u1EDDng do d\u1EA5u ngo\u1EB7c k\xE9p \u1EDF c\u1ED9t {{column}} kh\xF4ng \u0111\u01B0\u1EE3c \u0111\xF3ng). Kh\xF4ng d\xF2ng n\xE0o \u0111\u01B0\u1EE3c nh\u1EADp.",
  "import.source.unreadable": "T\u1EC7p \u201C{{name}}\u201D b\u1ECB h\u1ECFng, kh\xF4ng \u0111\u1ECDc \u0111\u01B0\u1EE3c nh\u01B0 m\u1ED9t t\u1EC7p {{format}}. Kh\xF4ng d\xF2ng n\xE0o \u0111\u01B0\u1EE3c nh\u1EADp.",
  "import.run.notFound": "Kh\xF4ng t\xECm th\u1EA5y l\u1EA7n nh\u1EADp n\xE0y.",
  "import.run.active": "L\u1EA7n nh\u1EADp n\xE0y \u0111ang ch\u1EA1y.",
  "import.run.notYours": "L\u1EA7n nh\u1EADp n\xE0y kh\xF4ng ph\u1EA3i c\u1EE7a b\u1EA1n.",
  "package.error.NEEDS_RECIPIENTS": "V\u0103n b\u1EA3n m\u1EADt ch\u1EC9 \u0111\u01B0\u1EE3c xu\u1EA5t trong g\xF3i m\xE3 h\xF3a: h\xE3y ch\u1ECDn \xEDt nh\u1EA5t m\u1ED9t ng\u01B0\u1EDDi nh\u1EADn.",
  "package.error.NOTHING_SELECTED": "Kh\xF4ng c\xF3 v\u0103n b\u1EA3n n\xE0o trong ph\u1EA1m vi \u0111\u01B0\u1EE3c ch\u1ECDn m\xE0 b\u1EA1n \u0111\u01B0\u1EE3c ph\xE9p xu\u1EA5t.",
  "package.error.FORBIDDEN": "B\u1EA1n kh\xF4ng c\xF3 quy\u1EC1n v\u1EDBi g\xF3i d\u1EEF li\u1EC7u n\xE0y.",
  "package.error.TOO_LARGE": "G\xF3i d\u1EEF li\u1EC7u v\u01B0\u1EE3t qu\xE1 dung l\u01B0\u1EE3ng cho ph\xE9p.",
  "package.error.TRUNCATED": "G\xF3i d\u1EEF li\u1EC7u b\u1ECB c\u1EAFt c\u1EE5t. Kh\xF4ng c\xF3 g\xEC \u0111\u01B0\u1EE3c ghi.",
  "package.error.TAMPERED": "G\xF3i d\u1EEF li\u1EC7u \u0111\xE3 b\u1ECB s\u1EEDa \u0111\u1ED5i sau khi ni\xEAm phong. Kh\xF4ng c\xF3 g\xEC \u0111\u01B0\u1EE3c ghi.",
  "package.error.NOT_A_RECIPIENT": "G\xF3i d\u1EEF li\u1EC7u kh\xF4ng g\u1EEDi cho ch\u1EE9ng th\u01B0 s\u1ED1 c\u1EE7a b\u1EA1n (g\xF3i d\xE0nh cho ng\u01B0\u1EDDi kh\xE1c). Kh\xF4ng c\xF3 g\xEC \u0111\u01B0\u1EE3c ghi.",
  "package.error.NOT_A_PACKAGE": "T\u1EC7p kh\xF4ng ph\u1EA3i g\xF3i d\u1EEF li\u1EC7u SecureDesk h\u1EE3p l\u1EC7.",
  "package.error.BAD_SIGNATURE": "Ch\u1EEF k\xFD s\u1ED1 tr\xEAn b\u1EA3n k\xEA c\u1EE7a g\xF3i kh\xF4ng h\u1EE3p l\u1EC7 ho\u1EB7c kh\xF4ng do c\u01A1 quan \u0111\u01B0\u1EE3c tin c\u1EADy c\u1EA5p. Kh\xF4ng c\xF3 g\xEC \u0111\u01B0\u1EE3c ghi.",
  "package.error.HASH_MISMATCH": "N\u1ED9i dung g\xF3i kh\xF4ng kh\u1EDBp b\u1EA3n k\xEA \u0111\xE3 k\xFD (g\xF3i \u0111\xE3 b\u1ECB s\u1EEDa \u0111\u1ED5i). Kh\xF4ng c\xF3 g\xEC \u0111\u01B0\u1EE3c ghi.",
  "package.error.COUNT_MISMATCH": "S\u1ED1 v\u0103n b\u1EA3n ho\u1EB7c t\u1EC7p trong g\xF3i kh\xF4ng kh\u1EDBp b\u1EA3n k\xEA \u0111\xE3 k\xFD. Kh\xF4ng c\xF3 g\xEC \u0111\u01B0\u1EE3c ghi.",
  "package.error.UNSAFE_NAME": "G\xF3i ch\u1EE9a t\xEAn t\u1EC7p kh\xF4ng an to\xE0n. Kh\xF4ng c\xF3 g\xEC \u0111\u01B0\u1EE3c ghi.",
  "package.error.TYPE_MISMATCH": "G\xF3i ch\u1EE9a t\u1EC7p kh\xF4ng \u0111\xFAng lo\u1EA1i \u0111\xE3 khai. Kh\xF4ng c\xF3 g\xEC \u0111\u01B0\u1EE3c ghi.",
  "package.error.UNSAFE_ENTRY": "T\u1EC7p n\xE9n ch\u1EE9a m\u1EE5c kh\xF4ng an to\xE0n. Kh\xF4ng c\xF3 g\xEC \u0111\u01B0\u1EE3c ghi.",
  "package.error.LEVEL_MISMATCH": "G\xF3i ch\u1EE9a v\u0103n b\u1EA3n ghi \u0111\u1ED9 m\u1EADt kh\xE1c v\u1EDBi ph\u1EA7n m\xE0 n\xF3 \u0111\u01B0\u1EE3c x\u1EBFp v\xE0o. Kh\xF4ng c\xF3 g\xEC \u0111\u01B0\u1EE3c ghi.",
  "package.error.CANCELLED": "\u0110\xE3 h\u1EE7y nh\u1EADp g\xF3i: ch\u01B0a c\xF3 v\u0103n b\u1EA3n n\xE0o \u0111\u01B0\u1EE3c ghi.",
  "package.certificate.unreadable": "T\u1EC7p kh\xF4ng ph\u1EA3i ch\u1EE9ng th\u01B0 s\u1ED1 \u0111\u1ECDc \u0111\u01B0\u1EE3c (PEM ho\u1EB7c DER).",
  "package.certificate.unsuitable": "Ch\u1EE9ng th\u01B0 s\u1ED1 \u201C{{name}}\u201D kh\xF4ng d\xF9ng \u0111\u01B0\u1EE3c \u0111\u1EC3 m\xE3 h\xF3a (c\u1EA7n kh\xF3a RSA cho ph\xE9p m\xE3 h\xF3a kh\xF3a).",
  "package.certificate.expired": "Ch\u1EE9ng th\u01B0 s\u1ED1 \u201C{{name}}\u201D \u0111\xE3 h\u1EBFt h\u1EA1n ho\u1EB7c ch\u01B0a c\xF3 hi\u1EC7u l\u1EF1c.",
  "package.recipient.unknown": "Ng\u01B0\u1EDDi nh\u1EADn \u0111\xE3 ch\u1ECDn kh\xF4ng c\xF2n ch\u1EE9ng th\u01B0 s\u1ED1 d\xF9ng \u0111\u01B0\u1EE3c \u0111\u1EC3 m\xE3 h\xF3a.",
  "import.dryRun.notDone": "L\u1EA7n ki\u1EC3m tra th\u1EED n\xE0y ch\u01B0a xong ho\u1EB7c \u0111\xE3 d\u1EEBng: kh\xF4ng c\xF3 k\u1EBFt qu\u1EA3.",
  "import.mapping.notFound": "Kh\xF4ng c\xF3 b\u1EA3ng \xE1nh x\u1EA1 t\xEAn \u201C{{name}}\u201D.",
  "import.unit.notFound": "Kh\xF4ng c\xF3 \u0111\u01A1n v\u1ECB n\xE0y trong danh m\u1EE5c.",
  "exchange.badPacketId": "M\xE3 g\xF3i tin kh\xF4ng h\u1EE3p l\u1EC7.",
  "exchange.badAgencyCode": "M\xE3 \u0111\u1ECBnh danh c\u01A1 quan {{code}} kh\xF4ng h\u1EE3p l\u1EC7.",
  "exchange.notFound": "Kh\xF4ng t\xECm th\u1EA5y v\u0103n b\u1EA3n \u0111i\u1EC7n t\u1EED \u0111\u1EBFn n\xE0y.",
  "exchange.alreadyDecided": "V\u0103n b\u1EA3n \u0111i\u1EC7n t\u1EED n\xE0y \u0111\xE3 \u0111\u01B0\u1EE3c x\u1EED l\xFD (\u0111\xE3 v\xE0o s\u1ED5 ho\u1EB7c \u0111\xE3 t\u1EEB ch\u1ED1i).",
  "exchange.registerInvalid": "Kh\xF4ng v\xE0o s\u1ED5 \u0111\u01B0\u1EE3c: {{message}}",
  "exchange.reasonRequired": "Nh\u1EADp l\xFD do t\u1EEB ch\u1ED1i (\xEDt nh\u1EA5t 5 k\xFD t\u1EF1).",
  "exchange.alreadyRegistered": "V\u0103n b\u1EA3n \u0111i\u1EC7n t\u1EED n\xE0y \u0111\xE3 \u0111\u01B0\u1EE3c ti\u1EBFp nh\u1EADn v\xE0 v\xE0o s\u1ED5, s\u1ED1 \u0111\u1EBFn {{number}}, l\xFAc {{time}} ({{person}}). Kh\xF4ng v\xE0o s\u1ED5 l\u1EA7n n\u1EEFa.",
  "exchange.alreadyRefused": "V\u0103n b\u1EA3n \u0111i\u1EC7n t\u1EED n\xE0y \u0111\xE3 b\u1ECB t\u1EEB ch\u1ED1i l\xFAc {{time}} ({{person}}) v\u1EDBi l\xFD do: {{reason}}.",
  "exchange.decidedElsewhere": "V\u0103n b\u1EA3n \u0111i\u1EC7n t\u1EED n\xE0y \u0111\xE3 \u0111\u01B0\u1EE3c ti\u1EBFp nh\u1EADn ho\u1EB7c t\u1EEB ch\u1ED1i \u1EDF m\u1ED9t m\xE1y tr\u1EA1m kh\xE1c c\u1EE7a c\u01A1 quan l\xFAc {{time}}. K\u1EBFt qu\u1EA3 s\u1EBD hi\u1EC7n \u1EDF \u0111\xE2y sau l\u1EA7n \u0111\u1ED3ng b\u1ED9 t\u1EDBi; kh\xF4ng v\xE0o s\u1ED5 l\u1EA7n n\u1EEFa.",
  "exchange.lostReasonShort": "H\xE3y ghi l\xFD do khai b\xE1o m\xE1y tr\u1EA1m b\u1ECB m\u1EA5t (\xEDt nh\u1EA5t 5 k\xFD t\u1EF1).",
  "exchange.lostSelf": "Kh\xF4ng th\u1EC3 khai b\xE1o ch\xEDnh m\xE1y tr\u1EA1m \u0111ang d\xF9ng l\xE0 b\u1ECB m\u1EA5t; h\xE3y th\u1EF1c hi\u1EC7n t\u1EEB m\u1ED9t m\xE1y tr\u1EA1m kh\xE1c c\u1EE7a c\u01A1 quan.",
  "numbering.serverUnreachable": "Ch\u01B0a li\xEAn l\u1EA1c \u0111\u01B0\u1EE3c m\xE1y ch\u1EE7 c\u1EE7a c\u01A1 quan n\xEAn ch\u01B0a c\u1EA5p \u0111\u01B0\u1EE3c s\u1ED1 \u0111\u1EBFn cho \u201C{{register}}\u201D. S\u1ED5 n\xE0y d\xF9ng chung cho nhi\u1EC1u m\xE1y tr\u1EA1m: khi m\u1EA5t k\u1EBFt n\u1ED1i ch\u1EC9 m\xE1y tr\u1EA1m gi\u1EEF s\u1ED5 \u0111\u01B0\u1EE3c t\u1EF1 c\u1EA5p s\u1ED1, \u0111\u1EC3 kh\xF4ng c\xF3 hai v\u0103n b\u1EA3n tr\xF9ng m\u1ED9t s\u1ED1. H\xE3y th\u1EED l\u1EA1i khi c\xF3 k\u1EBFt n\u1ED1i, ho\u1EB7c v\xE0o s\u1ED5 t\u1EA1i m\xE1y tr\u1EA1m gi\u1EEF s\u1ED5.",
  "numbering.importShared": "Nh\u1EADp s\u1ED5 c\u0169 t\u1EF1 c\u1EA5p s\u1ED1 \u0111\u1EBFn t\u1EA1i m\xE1y tr\u1EA1m n\xE0y n\xEAn kh\xF4ng ch\u1EA1y \u0111\u01B0\u1EE3c khi s\u1ED1 \u0111\u1EBFn do m\xE1y ch\u1EE7 c\u1EE7a c\u01A1 quan c\u1EA5p cho nhi\u1EC1u m\xE1y tr\u1EA1m (c\xF3 th\u1EC3 tr\xF9ng s\u1ED1). H\xE3y nh\u1EADp s\u1ED5 c\u0169 tr\xEAn h\u1ED3 s\u01A1 ch\u01B0a k\u1EBFt n\u1ED1i m\xE1y ch\u1EE7, tr\u01B0\u1EDBc khi c\xE1c m\xE1y tr\u1EA1m kh\xE1c d\xF9ng s\u1ED5.",
  "numbering.serverRefused": "M\xE1y ch\u1EE7 c\u1EE7a c\u01A1 quan kh\xF4ng c\u1EA5p s\u1ED1 \u0111\u1EBFn cho \u201C{{register}}\u201D: {{reason}}",
  "numberWait.notWaiting": "V\u0103n b\u1EA3n n\xE0y kh\xF4ng \u1EDF tr\u1EA1ng th\xE1i ch\u1EDD c\u1EA5p s\u1ED1.",
  "numberWait.yearOpen": "\u201C{{register}}\u201D n\u0103m {{year}} ch\u01B0a kh\xF3a s\u1ED5: v\u0103n b\u1EA3n ch\u1EDD c\u1EA5p s\u1ED1 s\u1EBD nh\u1EADn s\u1ED1 c\u1EE7a n\u0103m {{year}} \u1EDF l\u1EA7n li\xEAn l\u1EA1c m\xE1y ch\u1EE7 t\u1EDBi, kh\xF4ng c\u1EA7n chuy\u1EC3n n\u0103m.",
  "numberWait.noOpenYear": "\u201C{{register}}\u201D n\u0103m {{year}} ch\u01B0a m\u1EDF \u0111\u1EC3 v\xE0o s\u1ED5 (\u0111\xE3 kh\xF3a ho\u1EB7c kh\xF4ng ph\u1EA3i n\u0103m sau n\u0103m \u0111\xE3 kh\xF3a): ch\u01B0a chuy\u1EC3n \u0111\u01B0\u1EE3c v\u0103n b\u1EA3n ch\u1EDD c\u1EA5p s\u1ED1 sang n\u0103m n\xE0y.",
  "numberWait.yearClosed": "\u201C{{register}}\u201D n\u0103m {{year}} \u0111\xE3 kh\xF3a s\u1ED5 trong khi v\u0103n b\u1EA3n n\xE0y ch\u1EDD c\u1EA5p s\u1ED1, n\xEAn v\u0103n b\u1EA3n kh\xF4ng nh\u1EADn s\u1ED1 c\u1EE7a n\u0103m {{year}}. H\xE3y v\xE0o s\u1ED5 v\u0103n b\u1EA3n v\xE0o n\u0103m {{openYear}} (gi\u1EEF nguy\xEAn ng\xE0y \u0111\u1EBFn): s\u1ED1 \u0111\u1EBFn s\u1EBD l\xE0 s\u1ED1 ti\u1EBFp theo c\u1EE7a n\u0103m {{openYear}}.",
  "registerYear.awaitingNumbers": "\u201C{{register}}\u201D n\u0103m {{year}} c\xF2n {{count}} v\u0103n b\u1EA3n ch\u1EDD c\u1EA5p s\u1ED1: ch\u01B0a kh\xF3a s\u1ED5 \u0111\u01B0\u1EE3c khi c\xE1c v\u0103n b\u1EA3n n\xE0y ch\u01B0a c\xF3 s\u1ED1. H\xE3y \u0111\u1EE3i m\xE1y ch\u1EE7 c\u1EA5p s\u1ED1 \u1EDF l\u1EA7n li\xEAn l\u1EA1c t\u1EDBi r\u1ED3i kh\xF3a s\u1ED5.",
  "exchange.agencyUnreachable": "Ch\u01B0a li\xEAn l\u1EA1c \u0111\u01B0\u1EE3c m\xE1y ch\u1EE7 c\u1EE7a c\u01A1 quan n\xEAn ch\u01B0a ti\u1EBFp nh\u1EADn ho\u1EB7c t\u1EEB ch\u1ED1i \u0111\u01B0\u1EE3c: m\xE1y ch\u1EE7 ph\u1EA3i x\xE1c nh\u1EADn \u0111\u1EC3 m\u1ED9t v\u0103n b\u1EA3n kh\xF4ng b\u1ECB v\xE0o s\u1ED5 \u1EDF hai m\xE1y tr\u1EA1m. H\xE3y th\u1EED l\u1EA1i khi c\xF3 k\u1EBFt n\u1ED1i.",
  "handover.incomingYearClosed": "\u201C{{register}}\u201D n\u0103m {{year}} \u0111\xE3 kh\xF3a s\u1ED5: kh\xF4ng ghi th\xEAm l\u1EA7n chuy\u1EC3n ng\xE0y {{date}} cho v\u0103n b\u1EA3n \u0111\u1EBFn n\u0103m {{year}} \u0111\u01B0\u1EE3c (c\u1ED9t k\xFD nh\u1EADn c\u1EE7a s\u1ED5 \u0111\xE3 kh\xF3a). H\xE3y ghi ng\xE0y chuy\u1EC3n trong n\u0103m nay.",
  "handover.lateAcknowledgementClosed": "L\u1EA7n chuy\u1EC3n ng\xE0y {{date}} thu\u1ED9c \u201C{{register}}\u201D n\u0103m {{year}} \u0111\xE3 kh\xF3a s\u1ED5 n\xEAn kh\xF4ng k\xFD nh\u1EADn mu\u1ED9n \u0111\u01B0\u1EE3c. V\u0103n th\u01B0 c\u1EA7n ghi l\u1EA7n chuy\u1EC3n m\u1EDBi trong n\u0103m nay \u0111\u1EC3 ng\u01B0\u1EDDi nh\u1EADn k\xFD nh\u1EADn v\xE0o \u0111\xF3.",
  "workFile.shareNotFound": "Kh\xF4ng t\xECm th\u1EA5y l\u1EA7n chia s\u1EBB h\u1ED3 s\u01A1 n\xE0y.",
  "workFile.unshareNotAllowed": "Ch\u1EC9 ng\u01B0\u1EDDi \u0111\xE3 chia s\u1EBB, ng\u01B0\u1EDDi l\u1EADp h\u1ED3 s\u01A1 {{code}}, l\xE3nh \u0111\u1EA1o ho\u1EB7c v\u0103n th\u01B0 m\u1EDBi thu h\u1ED3i \u0111\u01B0\u1EE3c vi\u1EC7c chia s\u1EBB.",
  "workFile.shareAlreadyWithdrawn": "Vi\u1EC7c chia s\u1EBB h\u1ED3 s\u01A1 v\u1EDBi {{name}} \u0111\xE3 \u0111\u01B0\u1EE3c thu h\u1ED3i l\xFAc {{time}}.",
  "person.signatureImageInvalid": "\u1EA2nh ch\u1EEF k\xFD kh\xF4ng d\xF9ng \u0111\u01B0\u1EE3c: {{reason}}.",
  "outgoing.appendixPagesInvalid": "Trang b\u1EAFt \u0111\u1EA7u ph\u1EE5 l\u1EE5c ph\u1EA3i l\xE0 s\u1ED1 trang t\u1EEB 2 tr\u1EDF \u0111i (trang 1 l\xE0 v\u0103n b\u1EA3n ch\xEDnh).",
  "outgoing.appendixPagesOrder": "C\xE1c trang b\u1EAFt \u0111\u1EA7u ph\u1EE5 l\u1EE5c ph\u1EA3i t\u0103ng d\u1EA7n, kh\xF4ng tr\xF9ng nhau.",
  "outgoing.appendixPageBeyond": "T\u1EC7p ch\xEDnh ch\u1EC9 c\xF3 {{pages}} trang: kh\xF4ng c\xF3 trang {{page}} \u0111\u1EC3 b\u1EAFt \u0111\u1EA7u ph\u1EE5 l\u1EE5c.",
  "person.signatureImageNotYours": "Ch\u1EC9 ch\xEDnh ng\u01B0\u1EDDi \u0111\xF3 ho\u1EB7c qu\u1EA3n tr\u1ECB vi\xEAn m\u1EDBi xem v\xE0 \u0111\u1EB7t \u0111\u01B0\u1EE3c \u1EA3nh ch\u1EEF k\xFD c\u1EE7a {{name}}.",
  // Renumbering a registration set aside by the sync (main/core/documents/renumber.ts)
  "renumber.notFound": "Kh\xF4ng c\xF2n v\u0103n b\u1EA3n tr\xF9ng s\u1ED1 n\xE0y c\u1EA7n c\u1EA5p l\u1EA1i s\u1ED1 (\u0111\xE3 \u0111\u01B0\u1EE3c x\u1EED l\xFD tr\xEAn m\xE1y n\xE0y ho\u1EB7c m\xE1y tr\u1EA1m kh\xE1c).",
  "renumber.noCollision": "S\u1ED1 \u0111\u1EBFn c\u1EE7a v\u0103n b\u1EA3n n\xE0y kh\xF4ng c\xF2n tr\xF9ng v\u1EDBi v\u0103n b\u1EA3n n\xE0o: l\u1EA7n \u0111\u1ED3ng b\u1ED9 sau s\u1EBD t\u1EF1 v\xE0o s\u1ED5 v\u0103n b\u1EA3n.",
  "renumber.yearClosed": "\u201C{{register}}\u201D n\u0103m {{year}} \u0111\xE3 kh\xF3a s\u1ED5: kh\xF4ng c\u1EA5p l\u1EA1i s\u1ED1 \u0111\u1EBFn trong n\u0103m n\xE0y \u0111\u01B0\u1EE3c.",
  "renumber.stillRefused": "V\u0103n b\u1EA3n v\u1EABn ch\u01B0a v\xE0o s\u1ED5 \u0111\u01B0\u1EE3c sau khi c\u1EA5p s\u1ED1 m\u1EDBi: xem l\xFD do trong trang \u0110\u1ED3ng b\u1ED9.",
  "renumber.invalidId": "M\xE3 v\u0103n b\u1EA3n kh\xF4ng h\u1EE3p l\u1EC7.",
  // Cập nhật (BussinessDocType 2) and Lấy lại (status 13) of an issued document
  "outgoing.mayNotUpdate": "Ch\u1EC9 v\u0103n th\u01B0 m\u1EDBi \u0111\u01B0\u1EE3c c\u1EADp nh\u1EADt v\u0103n b\u1EA3n \u0111\xE3 ban h\xE0nh.",
  "outgoing.updateNothing": "Kh\xF4ng c\xF3 th\xF4ng tin n\xE0o kh\xE1c v\u1EDBi th\xF4ng tin hi\u1EC7n t\u1EA1i c\u1EE7a v\u0103n b\u1EA3n.",
  "outgoing.mayNotTakeBack": "Ch\u1EC9 v\u0103n th\u01B0 m\u1EDBi \u0111\u01B0\u1EE3c l\u1EA5y l\u1EA1i v\u0103n b\u1EA3n \u0111\xE3 g\u1EEDi.",
  "outgoing.notSentTo": "V\u0103n b\u1EA3n ch\u01B0a \u0111\u01B0\u1EE3c g\u1EEDi qua m\u1EA1ng \u0111\u1EBFn {{name}}: kh\xF4ng c\xF3 g\xEC \u0111\u1EC3 l\u1EA5y l\u1EA1i."
};
var isLabelKey = (k) => typeof k === "string" && Object.prototype.hasOwnProperty.call(LABELS_VI, k);
var capitalise = (s) => s.charAt(0).toUpperCase() + s.slice(1);
function fillTemplate(template, params, label) {
  return template.replace(/\{\{\s*(\w+)\s*\}\}/g, (whole, name) => {
    const lower = name.charAt(0).toLowerCase() + name.slice(1);
    const raw2 = params?.[name] ?? params?.[lower];
    if (raw2 === void 0) return whole;
    if (lower !== "field") return String(raw2);
    const worded = label(String(raw2));
    return name === "Field" ? capitalise(worded) : worded;
  });
}
function viMessage(key, params) {
  return fillTemplate(MESSAGES_VI[key], params, (k) => isLabelKey(k) ? LABELS_VI[k] : k);
}

// common/numberSymbol.ts
var SYMBOL_MAX = 50;
var TYPED_MAX = 80;
var INVISIBLE = /[\u00AD\u180E\u200B-\u200F\u202A-\u202E\u2060-\u2064\u206A-\u206F\uFEFF]/g;
var DASHES = /[\u2010-\u2015\u2212\u02D7\uFE58\uFE63\uFF0D]/g;
var SLASHES = /[\u2044\u2215\u29F8\uFF0F]/g;
var LABEL = new RegExp("^(?:(\\p{L}[\\p{L} ]{0,40}?) )?s\u1ED1(?: k\xFD hi\u1EC7u| hi\u1EC7u)?\\s*[:.]?\\s*(?=\\d)", "iu");
var LEADING = /^["'“‘«([]+/u;
var TRAILING = /[\s.,;:!?…)\]}"'”’»]+$/u;
var ALLOWED = /^[\p{L}\p{N}/\-._()&]*$/u;
var SEG = "[\\p{L}\\p{N}]*\\p{L}[\\p{L}\\p{N}]*";
var PARTY = new RegExp(`^(\\d+)-(\\p{L}+)/(${SEG}(?:-${SEG})*(?:/${SEG})*)$`, "u");
var STATE = new RegExp(`^(\\d+)/(?:(\\d{4})/)?(${SEG}(?:-${SEG})*)$`, "u");
var PARTY_SLASHED = new RegExp(`^(\\d+)/(\\p{L}+)/(${SEG}(?:-${SEG})*(?:/${SEG})*)$`, "u");
var cleanTypedSymbol = (input) => input.normalize("NFC").replace(INVISIBLE, "").replace(/\s+/g, " ").trim();
var canonicalChars = (s) => s.normalize("NFKC").replace(DASHES, "-").replace(SLASHES, "/").replace(/[ÐƉ]/g, "\u0110").replace(/[ðɖ]/g, "\u0111").normalize("NFC");
function symbolKey(number, notation) {
  const words = foldedWords(foldVietnamese(notation));
  return [String(number).padStart(7, "0"), ...words].join("-");
}
var refused = (code, key, params) => ({ ok: false, verdict: "refused", code, reason: viMessage(key, params), msg: params ? { key, params } : { key } });
function isDate(s) {
  const m = /^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$/.exec(s);
  if (!m) return false;
  const d = Number(m[1]);
  const mo = Number(m[2]);
  return d >= 1 && d <= 31 && mo >= 1 && mo <= 12;
}
function shape(compact, text, labelType) {
  const party = PARTY.exec(compact);
  if (party) {
    const number = Number(party[1]);
    const notation = `${party[2]}/${party[3]}`;
    const typeCode = labelType ?? documentTypeForSymbol(party[2], "party");
    return { form: "party", number, notation, ...typeCode ? { typeCode } : {}, text, key: symbolKey(number, notation) };
  }
  const state = STATE.exec(compact);
  if (state) {
    const number = Number(state[1]);
    const notation = state[3];
    const parts = notation.split("-");
    const known = documentTypeForSymbol(parts[0], "state");
    const typeCode = labelType ?? (known ?? (state[2] ? void 0 : "CV"));
    const year = state[2] ? Number(state[2]) : void 0;
    return {
      form: "state",
      number,
      notation,
      ...typeCode ? { typeCode } : {},
      ...year ? { year } : {},
      text,
      key: symbolKey(number, year ? `${year}/${notation}` : notation)
    };
  }
  return null;
}
function parseNumberSymbol(input) {
  const text = cleanTypedSymbol(input);
  if (text.length === 0) return refused("empty", "field.required", { field: "numberSymbol" });
  if (text.length > TYPED_MAX) return refused("too_long", "symbol.tooLong", { max: SYMBOL_MAX });
  let body = canonicalChars(text);
  let labelType;
  const label = LABEL.exec(body);
  if (label) {
    labelType = label[1] ? documentTypeByName(label[1]) : void 0;
    body = body.slice(label[0].length);
  }
  const compact = body.replace(LEADING, "").replace(TRAILING, "").replace(/\s+/g, "");
  if (compact.length === 0) return refused("empty", "field.required", { field: "numberSymbol" });
  if (compact.length > SYMBOL_MAX) return refused("too_long", "symbol.tooLong", { max: SYMBOL_MAX });
  const lead = /^(\d+)(.*)$/su.exec(compact);
  if (!lead) return refused("no_number", "symbol.noNumber");
  const [, digits = "", rest = ""] = lead;
  if (!new RegExp("\\p{L}|\\d", "u").test(rest)) return refused("no_notation", "symbol.noNotation");
  if (/^[\d/.-]*$/.test(rest)) {
    if (isDate(compact)) return refused("date", "symbol.date", { text: compact });
    return refused("no_notation", "symbol.digitsOnly", { text: compact });
  }
  const bad = [...compact].find((c) => !ALLOWED.test(c));
  if (bad !== void 0) return refused("bad_character", "symbol.badCharacter", { char: bad });
  if (digits.length > 7) return refused("number_too_long", "symbol.numberTooLong");
  const number = Number(digits);
  if (number === 0) return refused("zero", "symbol.zero");
  const value = shape(compact, text, labelType);
  if (value) return { ok: true, verdict: "ok", value };
  const slashed = PARTY_SLASHED.exec(compact);
  if (slashed && documentTypeForSymbol(slashed[2], "party")) {
    const suggestion = `${digits}-${slashed[2]}/${slashed[3]}`;
    const v = shape(suggestion, text, labelType);
    return {
      ok: true,
      verdict: "warning",
      value: v,
      code: "party_slash",
      suggestion,
      reason: `S\u1ED1, k\xFD hi\u1EC7u v\u0103n b\u1EA3n c\u1EE7a \u0110\u1EA3ng c\xF3 g\u1EA1ch n\u1ED1i sau s\u1ED1: c\xF3 ph\u1EA3i ${suggestion}?`
    };
  }
  const collapsed = compact.replace(/-{2,}/g, "-").replace(/\/{2,}/g, "/");
  const fixed = collapsed !== compact ? shape(collapsed, text, labelType) : null;
  if (fixed) {
    return {
      ok: true,
      verdict: "warning",
      value: fixed,
      code: "repeated_separator",
      suggestion: collapsed,
      reason: `S\u1ED1, k\xFD hi\u1EC7u c\xF3 d\u1EA5u ph\xE2n c\xE1ch l\u1EB7p l\u1EA1i: c\xF3 ph\u1EA3i ${collapsed}?`
    };
  }
  const notation = rest.replace(/^[/.-]+/, "");
  return {
    ok: true,
    verdict: "warning",
    code: "unknown_shape",
    value: { form: "other", number, notation, ...labelType ? { typeCode: labelType } : {}, text, key: symbolKey(number, notation) },
    reason: `S\u1ED1, k\xFD hi\u1EC7u kh\xF4ng theo m\u1EABu th\u01B0\u1EDDng g\u1EB7p (nh\xE0 n\u01B0\u1EDBc: 15/Q\u0110-UBND, \u0110\u1EA3ng: 27-Q\u0110/TW). V\u1EABn v\xE0o s\u1ED5 \u0111\u01B0\u1EE3c \u0111\xFAng nh\u01B0 ghi tr\xEAn v\u0103n b\u1EA3n.`
  };
}
function numberSymbolKey(input) {
  const r = parseNumberSymbol(input);
  return r.ok ? r.value.key : null;
}

// main/core/documents/duplicates.ts
var numberSymbolKey2 = (s) => numberSymbolKey(s) ?? foldVietnamese(cleanTypedSymbol(s)).replace(/\s+/g, "");
var ISSUER_WORDS = {
  ubnd: "uy ban nhan dan",
  hdnd: "hoi dong nhan dan",
  mttq: "mat tran to quoc",
  tp: "thanh pho"
};
var issuerKey = (s) => searchTokens(s).map((w) => ISSUER_WORDS[w] ?? w).join(" ");

// main/core/ocr/queue.ts
var OCR_MIMES = ["application/pdf", "image/tiff", "image/jpeg", "image/png"];
var MIMES_SQL = OCR_MIMES.map((m) => `'${m}'`).join(",");

// main/core/documents/search.ts
function indexText(f) {
  return searchTokens([f.subject, f.numberSymbol, f.issuerName, f.notes].join(" \n ")).join(" ");
}
function rebuildSearchIndex(db, keys, progress2 = () => {
}) {
  const total = db.prepare("SELECT count(*) FROM incoming").pluck().get();
  let done = 0;
  progress2(0, total);
  db.exec("INSERT INTO incoming_fts (incoming_fts) VALUES ('delete-all'); DELETE FROM search_terms;");
  const insert = db.prepare("INSERT INTO incoming_fts (rowid, body) VALUES (?, ?)");
  const update = db.prepare("UPDATE incoming SET number_symbol_key = ?, issuer_key = ? WHERE id = ?");
  const batch = db.prepare("SELECT id, subject, number_symbol AS numberSymbol, issuer_name AS issuerName, notes FROM incoming WHERE id > ? ORDER BY id LIMIT 5000");
  const terms = /* @__PURE__ */ new Set();
  for (let last = 0; ; ) {
    const rows = batch.all(last);
    if (rows.length === 0) break;
    for (const r of rows) {
      const text = indexText(r);
      insert.run(r.id, text);
      update.run(keys.numberSymbol(r.numberSymbol), keys.issuer(r.issuerName), r.id);
      for (const t of text.split(" ")) if (t) terms.add(t);
    }
    last = rows[rows.length - 1].id;
    progress2(done += rows.length, Math.max(total, done));
  }
  const addTerm = db.prepare("INSERT INTO search_terms (term) VALUES (?)");
  for (const t of [...terms].sort()) addTerm.run(t);
}
function reindexSymbolKeysAndSearch(db, progress2) {
  const unit = db.prepare("UPDATE units SET name_folded = ? WHERE id = ?");
  for (const u of db.prepare("SELECT id, name FROM units").all()) unit.run(foldVietnamese(u.name), u.id);
  const keyIndexes = {
    idx_incoming_issuer: "incoming(issuer_key)",
    idx_incoming_number_symbol: "incoming(number_symbol_key)",
    idx_incoming_duplicate: "incoming(number_symbol_key, document_date)"
  };
  const present = db.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'incoming'").pluck().all().filter((n) => n in keyIndexes);
  for (const name of present) db.exec(`DROP INDEX ${name}`);
  rebuildSearchIndex(db, { numberSymbol: numberSymbolKey2, issuer: issuerKey }, progress2);
  for (const name of /* @__PURE__ */ new Set([...present, "idx_incoming_duplicate"])) db.exec(`CREATE INDEX ${name} ON ${keyIndexes[name]}`);
}

// main/core/db/migrations.ts
var ROLE_CHECK = "('van_thu','lanh_dao','chuyen_vien','quan_tri')";
var SECRECY_CHECK = "('thuong','mat','toi_mat','tuyet_mat')";
var RECORD_TABLES_AT_V7 = ["units", "users", "user_certificates", "numbering_scopes", "registers", "incoming", "attachments", "signatures"];
var BMNN_INCOMING = "S\u1ED5 \u0111\u0103ng k\xFD b\xED m\u1EADt nh\xE0 n\u01B0\u1EDBc \u0111\u1EBFn";
var MIGRATIONS = [
  // 1: workstation profile, units, users, audit log
  `
  CREATE TABLE settings (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;

  CREATE TABLE units (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    name_folded TEXT NOT NULL,
    code TEXT UNIQUE,
    is_self INTEGER NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL
  );
  CREATE INDEX idx_units_name_folded ON units(name_folded);

  CREATE TABLE users (
    id INTEGER PRIMARY KEY,
    full_name TEXT NOT NULL,
    position TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ${ROLE_CHECK}),
    clearance TEXT NOT NULL CHECK (clearance IN ${SECRECY_CHECK}),
    active INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL
  );

  CREATE TABLE audit_log (
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    user_id INTEGER,
    action TEXT NOT NULL,
    entity TEXT,
    entity_id INTEGER,
    details TEXT NOT NULL DEFAULT '{}',
    prev_hash TEXT NOT NULL,
    hash TEXT NOT NULL
  );
  CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
    BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
  CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log
    BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END;
  `,
  // 2: numbering engine and registers
  `
  CREATE TABLE numbering_scopes (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    reset TEXT NOT NULL CHECK (reset IN ('year','term','never')),
    per_type INTEGER NOT NULL DEFAULT 0,
    term_start TEXT,
    term_years INTEGER NOT NULL DEFAULT 5
  );
  CREATE TABLE number_counters (
    scope_id INTEGER NOT NULL REFERENCES numbering_scopes(id),
    period TEXT NOT NULL,
    bucket TEXT NOT NULL,
    last INTEGER NOT NULL,
    PRIMARY KEY (scope_id, period, bucket)
  ) WITHOUT ROWID;
  CREATE TABLE registers (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('incoming','outgoing')),
    name TEXT NOT NULL,
    secrecy TEXT NOT NULL,
    scope_id INTEGER NOT NULL REFERENCES numbering_scopes(id),
    active INTEGER NOT NULL DEFAULT 1
  );
  `,
  // 3: incoming documents, attachments, folded full-text index
  `
  CREATE TABLE incoming (
    id INTEGER PRIMARY KEY,
    register_id INTEGER NOT NULL REFERENCES registers(id),
    period TEXT NOT NULL,
    arrival_number INTEGER NOT NULL,
    arrival_date TEXT NOT NULL,
    year INTEGER NOT NULL,
    issuer_unit_id INTEGER REFERENCES units(id),
    issuer_name TEXT NOT NULL,
    number_symbol TEXT NOT NULL,
    number_symbol_key TEXT NOT NULL,
    issuer_key TEXT NOT NULL,
    document_date TEXT NOT NULL,
    type_code TEXT NOT NULL,
    subject TEXT NOT NULL,
    secrecy TEXT NOT NULL CHECK (secrecy IN ${SECRECY_CHECK}),
    secrecy_rank INTEGER NOT NULL,
    urgency TEXT NOT NULL CHECK (urgency IN ('thuong','khan','thuong_khan','hoa_toc')),
    deadline TEXT,
    status TEXT NOT NULL DEFAULT 'registered',
    recipients TEXT NOT NULL DEFAULT '[]',
    notes TEXT NOT NULL DEFAULT '',
    registered_by INTEGER NOT NULL REFERENCES users(id),
    registered_at TEXT NOT NULL,
    attachment_count INTEGER NOT NULL DEFAULT 0,
    UNIQUE (register_id, period, arrival_number)
  );
  CREATE INDEX idx_incoming_arrival ON incoming(arrival_date, id);
  CREATE INDEX idx_incoming_year ON incoming(year, arrival_date);
  CREATE INDEX idx_incoming_document_date ON incoming(document_date);
  CREATE INDEX idx_incoming_deadline ON incoming(deadline);
  CREATE INDEX idx_incoming_issuer ON incoming(issuer_key);
  CREATE INDEX idx_incoming_number_symbol ON incoming(number_symbol_key);
  CREATE INDEX idx_incoming_duplicate ON incoming(number_symbol_key, document_date);

  CREATE TABLE attachments (
    id INTEGER PRIMARY KEY,
    incoming_id INTEGER NOT NULL REFERENCES incoming(id),
    ordinal INTEGER NOT NULL,
    name TEXT NOT NULL,
    size INTEGER NOT NULL,
    mime TEXT NOT NULL,
    is_pdf INTEGER NOT NULL,
    sha256 TEXT NOT NULL
  );
  CREATE INDEX idx_attachments_incoming ON attachments(incoming_id);
  CREATE INDEX idx_attachments_sha256 ON attachments(sha256);

  -- Contentless: the folded text lives only in the index; rows are fed by the service.
  CREATE VIRTUAL TABLE incoming_fts USING fts5(
    body, content='', contentless_delete=1, tokenize='unicode61 remove_diacritics 0'
  );
  `,
  // 4: the search vocabulary (expands a typed prefix into whole words: FTS5 prefix queries merge
  //    every matching doclist before the first row, so LIMIT cannot stop early) and a secrecy index
  //    for counts within a clearance.
  `
  CREATE TABLE search_terms (term TEXT PRIMARY KEY) WITHOUT ROWID;
  CREATE VIRTUAL TABLE temp.incoming_vocab USING fts5vocab(main, incoming_fts, 'row');
  INSERT INTO search_terms (term) SELECT term FROM temp.incoming_vocab;
  DROP TABLE temp.incoming_vocab;
  CREATE INDEX idx_incoming_secrecy ON incoming(secrecy_rank, secrecy);
  `,
  // 5: the certificates that identify each person (read from their token when it is bound).
  `
  CREATE TABLE user_certificates (
    fingerprint TEXT PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users(id),
    subject TEXT NOT NULL,
    issuer TEXT NOT NULL,
    serial TEXT NOT NULL,
    not_after TEXT NOT NULL,
    can_unlock INTEGER NOT NULL,
    der BLOB NOT NULL,
    bound_at TEXT NOT NULL,
    bound_by INTEGER REFERENCES users(id)
  );
  CREATE INDEX idx_user_certificates_user ON user_certificates(user_id);
  `,
  // 6: detached CMS signatures over a document's files and its metadata.
  `
  CREATE TABLE signatures (
    id INTEGER PRIMARY KEY,
    incoming_id INTEGER NOT NULL REFERENCES incoming(id),
    attachment_id INTEGER REFERENCES attachments(id),
    signer_fingerprint TEXT NOT NULL,
    signer_name TEXT NOT NULL,
    signed_at TEXT NOT NULL,
    cms BLOB NOT NULL,
    signed_by INTEGER NOT NULL REFERENCES users(id)
  );
  CREATE INDEX idx_signatures_incoming ON signatures(incoming_id);
  `,
  // 7: global ids (UUIDv7) beside local ids, and the ordered event log the server replicates.
  (db) => {
    for (const table of RECORD_TABLES_AT_V7) {
      db.exec(`ALTER TABLE ${table} ADD COLUMN global_id TEXT`);
      const ids = db.prepare(`SELECT rowid FROM ${table} ORDER BY rowid`).pluck().all();
      const set2 = db.prepare(`UPDATE ${table} SET global_id = ? WHERE rowid = ?`);
      for (const id of ids) set2.run(newGlobalId(), id);
      db.exec(`CREATE UNIQUE INDEX idx_${table}_global_id ON ${table}(global_id)`);
    }
    db.exec(`
      CREATE TABLE events (
        seq INTEGER PRIMARY KEY,
        id TEXT NOT NULL UNIQUE,
        at TEXT NOT NULL,
        origin TEXT NOT NULL,
        actor TEXT,
        entity TEXT NOT NULL,
        entity_id TEXT NOT NULL,
        kind TEXT NOT NULL CHECK (kind IN ('create','update','delete')),
        data TEXT NOT NULL
      );
      CREATE INDEX idx_events_entity ON events(entity_id, seq);
      CREATE TRIGGER events_no_update BEFORE UPDATE ON events BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;
      CREATE TRIGGER events_no_delete BEFORE DELETE ON events BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;
    `);
    db.prepare("INSERT INTO settings (key, value) VALUES ('workstation_id', ?) ON CONFLICT (key) DO NOTHING").run(newGlobalId());
  },
  // 8: number-symbol keys (3/CĐ-TTg = 03/CĐ-TTg) and search folding (Ð, i/y variants, numbers without
  //    leading zeros): recompute the stored keys, rebuild their indexes, the full-text index and its vocabulary.
  reindexSymbolKeysAndSearch,
  // 9: paging the register by key (documents/paging.ts). One covering index per sort order, with the
  //    clearance rank, so a page anywhere is found from a sampled key without reading the records
  //    (also below the top clearance); the old single-column indexes are their prefixes. A counter
  //    kept by triggers tells the sampled keys of every connection and process when to start over.
  `
  CREATE INDEX idx_incoming_page_arrival ON incoming(arrival_date, id, secrecy_rank);
  CREATE INDEX idx_incoming_page_document_date ON incoming(document_date, id, secrecy_rank);
  CREATE INDEX idx_incoming_page_deadline ON incoming(ifnull(deadline, '9999-12-31'), id, secrecy_rank);
  CREATE INDEX idx_incoming_page_number_symbol ON incoming(number_symbol_key, id, secrecy_rank);
  CREATE INDEX idx_incoming_page_issuer ON incoming(issuer_key, id, secrecy_rank);
  DROP INDEX idx_incoming_arrival;
  DROP INDEX idx_incoming_document_date;
  DROP INDEX idx_incoming_number_symbol;
  DROP INDEX idx_incoming_issuer;
  CREATE TABLE change_counters (name TEXT PRIMARY KEY, n INTEGER NOT NULL) WITHOUT ROWID;
  INSERT INTO change_counters (name, n) VALUES ('incoming', 0);
  CREATE TRIGGER incoming_counted_insert AFTER INSERT ON incoming
    BEGIN UPDATE change_counters SET n = n + 1 WHERE name = 'incoming'; END;
  CREATE TRIGGER incoming_counted_update AFTER UPDATE ON incoming
    BEGIN UPDATE change_counters SET n = n + 1 WHERE name = 'incoming'; END;
  CREATE TRIGGER incoming_counted_delete AFTER DELETE ON incoming
    BEGIN UPDATE change_counters SET n = n + 1 WHERE name = 'incoming'; END;
  `,
  // 10: secret arrivals go to the Sổ đăng ký bí mật nhà nước đến in every preset. A register that took
  //    secret and ordinary documents alike (the party preset) keeps its entries and numbers and takes
  //    Thường only from now on; a new register with its own yearly sequence takes the secret levels.
  //    The state preset's secret register gets the law's name, unless an entry in it was signed (the
  //    signed register entry names its register: renaming would make those signatures fail).
  (db) => {
    const now = /* @__PURE__ */ new Date();
    const hasSignedEntries = (registerId) => db.prepare("SELECT 1 FROM signatures s JOIN incoming i ON i.id = s.incoming_id WHERE i.register_id = ? LIMIT 1").get(registerId) !== void 0;
    const registers = db.prepare("SELECT id, name, secrecy FROM registers WHERE kind = 'incoming' ORDER BY id").all();
    for (const r of registers) {
      const levels = JSON.parse(r.secrecy);
      const secret = levels.filter((l) => l !== "thuong");
      if (secret.length > 0 && levels.includes("thuong")) {
        db.prepare("UPDATE registers SET secrecy = ? WHERE id = ?").run(JSON.stringify(["thuong"]), r.id);
        recordChange(db, "registers", r.id, "update", null, now);
        const scopeId = Number(db.prepare("INSERT INTO numbering_scopes (name, reset, per_type, term_years) VALUES ('S\u1ED1 \u0111\u1EBFn BMNN', 'year', 0, 5)").run().lastInsertRowid);
        recordChange(db, "numbering_scopes", scopeId, "create", null, now);
        const registerId = Number(db.prepare("INSERT INTO registers (kind, name, secrecy, scope_id) VALUES ('incoming', ?, ?, ?)").run(BMNN_INCOMING, JSON.stringify(secret), scopeId).lastInsertRowid);
        recordChange(db, "registers", registerId, "create", null, now);
        appendAudit(db, { userId: null, action: "register.migrate", entity: "register", entityId: registerId, details: { from: r.name, to: BMNN_INCOMING, secrecy: secret } }, now.toISOString());
      } else if (secret.length > 0 && r.name === "S\u1ED5 \u0111\u0103ng k\xFD v\u0103n b\u1EA3n m\u1EADt \u0111\u1EBFn" && !hasSignedEntries(r.id)) {
        db.prepare("UPDATE registers SET name = ? WHERE id = ?").run(BMNN_INCOMING, r.id);
        recordChange(db, "registers", r.id, "update", null, now);
        appendAudit(db, { userId: null, action: "register.migrate", entity: "register", entityId: r.id, details: { from: r.name, to: BMNN_INCOMING } }, now.toISOString());
      }
    }
  },
  // 11: the fields of Phụ lục IV and VI: page and copy counts, signer, how it arrived; the agency's own
  //     units; recipients chosen among units and people; hand-over (ngày chuyển) and its electronic
  //     acknowledgement (ký nhận); corrections with the old values; register years closed at year end.
  //     Columns are added without CHECK constraints so that no existing row is scanned (the core checks).
  `
  ALTER TABLE incoming ADD COLUMN page_count INTEGER;
  ALTER TABLE incoming ADD COLUMN copy_count INTEGER;
  ALTER TABLE incoming ADD COLUMN signer TEXT NOT NULL DEFAULT '';
  ALTER TABLE incoming ADD COLUMN arrival_channel TEXT;

  CREATE TABLE internal_units (
    id INTEGER PRIMARY KEY,
    global_id TEXT,
    name TEXT NOT NULL,
    name_folded TEXT NOT NULL,
    parent_id INTEGER REFERENCES internal_units(id),
    active INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL
  );
  CREATE UNIQUE INDEX idx_internal_units_global_id ON internal_units(global_id);

  CREATE TABLE incoming_recipients (
    id INTEGER PRIMARY KEY,
    global_id TEXT,
    incoming_id INTEGER NOT NULL REFERENCES incoming(id),
    ordinal INTEGER NOT NULL,
    internal_unit_id INTEGER REFERENCES internal_units(id),
    user_id INTEGER REFERENCES users(id),
    name TEXT NOT NULL,
    CHECK (internal_unit_id IS NULL OR user_id IS NULL)
  );
  CREATE UNIQUE INDEX idx_incoming_recipients_global_id ON incoming_recipients(global_id);
  CREATE INDEX idx_incoming_recipients_incoming ON incoming_recipients(incoming_id);

  CREATE TABLE incoming_handovers (
    id INTEGER PRIMARY KEY,
    global_id TEXT,
    incoming_id INTEGER NOT NULL REFERENCES incoming(id),
    internal_unit_id INTEGER REFERENCES internal_units(id),
    user_id INTEGER REFERENCES users(id),
    recipient_name TEXT NOT NULL,
    handed_on TEXT NOT NULL,
    handed_by INTEGER NOT NULL REFERENCES users(id),
    recorded_at TEXT NOT NULL,
    note TEXT NOT NULL DEFAULT '',
    acknowledged_by INTEGER REFERENCES users(id),
    acknowledged_at TEXT,
    CHECK (internal_unit_id IS NOT NULL OR user_id IS NOT NULL)
  );
  CREATE UNIQUE INDEX idx_incoming_handovers_global_id ON incoming_handovers(global_id);
  CREATE INDEX idx_incoming_handovers_incoming ON incoming_handovers(incoming_id);
  CREATE INDEX idx_incoming_handovers_pending ON incoming_handovers(user_id) WHERE acknowledged_at IS NULL;

  CREATE TABLE incoming_corrections (
    id INTEGER PRIMARY KEY,
    global_id TEXT,
    incoming_id INTEGER NOT NULL REFERENCES incoming(id),
    corrected_by INTEGER NOT NULL REFERENCES users(id),
    corrected_at TEXT NOT NULL,
    reason TEXT NOT NULL,
    old_values TEXT NOT NULL,
    new_values TEXT NOT NULL
  );
  CREATE UNIQUE INDEX idx_incoming_corrections_global_id ON incoming_corrections(global_id);
  CREATE INDEX idx_incoming_corrections_incoming ON incoming_corrections(incoming_id);
  CREATE TRIGGER incoming_corrections_no_update
    BEFORE UPDATE OF incoming_id, corrected_by, corrected_at, reason, old_values, new_values ON incoming_corrections
    BEGIN SELECT RAISE(ABORT, 'corrections are append-only'); END;
  CREATE TRIGGER incoming_corrections_global_id_once BEFORE UPDATE OF global_id ON incoming_corrections WHEN OLD.global_id IS NOT NULL
    BEGIN SELECT RAISE(ABORT, 'corrections are append-only'); END;
  CREATE TRIGGER incoming_corrections_no_delete BEFORE DELETE ON incoming_corrections
    BEGIN SELECT RAISE(ABORT, 'corrections are append-only'); END;

  CREATE TABLE register_years (
    id INTEGER PRIMARY KEY,
    global_id TEXT,
    register_id INTEGER NOT NULL REFERENCES registers(id),
    year INTEGER NOT NULL,
    closed_at TEXT NOT NULL,
    closed_by INTEGER NOT NULL REFERENCES users(id),
    UNIQUE (register_id, year)
  );
  CREATE UNIQUE INDEX idx_register_years_global_id ON register_years(global_id);
  CREATE TRIGGER register_years_no_delete BEFORE DELETE ON register_years
    BEGIN SELECT RAISE(ABORT, 'a closed register year stays closed'); END;
  `,
  // 12: each person's preferences (the UI language …), a replicated record; and the drafts of
  //    unfinished forms, kept for the same person across a lock (local scratch: never replicated).
  `
  CREATE TABLE user_prefs (
    id INTEGER PRIMARY KEY,
    global_id TEXT NOT NULL,
    user_id INTEGER NOT NULL REFERENCES users(id),
    key TEXT NOT NULL,
    value TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (user_id, key)
  );
  CREATE UNIQUE INDEX idx_user_prefs_global_id ON user_prefs(global_id);
  CREATE TABLE drafts (
    user_id INTEGER NOT NULL REFERENCES users(id),
    kind TEXT NOT NULL,
    data TEXT NOT NULL,
    saved_at TEXT NOT NULL,
    PRIMARY KEY (user_id, kind)
  ) WITHOUT ROWID;
  `,
  // 13: audit entries v2 (main/core/audit, docs/audit.md): workstation, the actor's and the record's
  //    global ids, outcome and reason; rows written before stay v1 and keep verifying under the v1
  //    rule. Signed chain heads, append-only like the log; an index on the time for searches.
  `
  ALTER TABLE audit_log ADD COLUMN v INTEGER NOT NULL DEFAULT 1;
  ALTER TABLE audit_log ADD COLUMN workstation TEXT;
  ALTER TABLE audit_log ADD COLUMN actor_gid TEXT;
  ALTER TABLE audit_log ADD COLUMN entity_gid TEXT;
  ALTER TABLE audit_log ADD COLUMN outcome TEXT;
  ALTER TABLE audit_log ADD COLUMN reason TEXT;
  CREATE INDEX idx_audit_log_at ON audit_log(at);
  CREATE INDEX idx_audit_log_action ON audit_log(action);
  CREATE INDEX idx_audit_log_user ON audit_log(user_id);
  CREATE TABLE audit_heads (
    id INTEGER PRIMARY KEY,
    seq INTEGER NOT NULL,
    hash TEXT NOT NULL,
    at TEXT NOT NULL,
    workstation TEXT NOT NULL,
    signer TEXT NOT NULL,
    certificate BLOB NOT NULL,
    signature BLOB NOT NULL,
    cause TEXT NOT NULL
  );
  CREATE INDEX idx_audit_heads_seq ON audit_heads(seq);
  CREATE TRIGGER audit_heads_no_update BEFORE UPDATE ON audit_heads
    BEGIN SELECT RAISE(ABORT, 'audit_heads is append-only'); END;
  CREATE TRIGGER audit_heads_no_delete BEFORE DELETE ON audit_heads
    BEGIN SELECT RAISE(ABORT, 'audit_heads is append-only'); END;
  `,
  // 14: compartments (compartments/split.ts moves the records out at the next unlock, with the keys):
  //     one id sequence for the records of every level, so ids never collide between compartment
  //     files; the journal of writes that span the base and a compartment; this profile's id, which
  //     its compartment files carry.
  (db) => {
    const tables = ["incoming", "attachments", "signatures", "incoming_recipients", "incoming_handovers", "incoming_corrections"];
    const last = db.prepare(`SELECT max(m) FROM (${tables.map((t) => `SELECT ifnull(max(id), 0) AS m FROM ${t}`).join(" UNION ALL ")})`).pluck().get();
    db.exec(`
      CREATE TABLE id_sequence (name TEXT PRIMARY KEY, last INTEGER NOT NULL) WITHOUT ROWID;
      CREATE TABLE pending_writes (
        global_id TEXT PRIMARY KEY,
        level TEXT NOT NULL,
        kind TEXT NOT NULL,
        detail TEXT NOT NULL,
        created_at TEXT NOT NULL
      ) WITHOUT ROWID;
    `);
    db.prepare("INSERT INTO id_sequence (name, last) VALUES ('record', ?)").run(last);
    db.prepare("INSERT INTO settings (key, value) VALUES ('profile_id', ?) ON CONFLICT (key) DO NOTHING").run(newGlobalId());
  },
  // 15: secret registers closed at year end (secrets/registerYears.ts):
  //     the last whole-year PDF of each state-secret register (its hash and a fingerprint of its rows,
  //     local), and the closed years (replicated, append-only): secrets/registerYears.ts.
  `
  CREATE TABLE secret_register_prints (
    kind TEXT NOT NULL,
    year INTEGER NOT NULL,
    sha256 TEXT NOT NULL,
    rows INTEGER NOT NULL,
    fingerprint TEXT NOT NULL,
    printed_by INTEGER NOT NULL REFERENCES users(id),
    printed_at TEXT NOT NULL,
    PRIMARY KEY (kind, year)
  ) WITHOUT ROWID;
  CREATE TABLE secret_register_years (
    id INTEGER PRIMARY KEY,
    global_id TEXT,
    kind TEXT NOT NULL CHECK (kind IN ('secret_incoming','secret_copies','secret_handover')),
    year INTEGER NOT NULL,
    closed_at TEXT NOT NULL,
    closed_by INTEGER NOT NULL REFERENCES users(id),
    pdf_sha256 TEXT NOT NULL,
    rows INTEGER NOT NULL,
    printed_at TEXT NOT NULL,
    printed_by INTEGER NOT NULL REFERENCES users(id),
    UNIQUE (kind, year)
  );
  CREATE UNIQUE INDEX idx_secret_register_years_global_id ON secret_register_years(global_id);
  CREATE TRIGGER secret_register_years_no_update
    BEFORE UPDATE OF kind, year, closed_at, closed_by, pdf_sha256, rows, printed_at, printed_by ON secret_register_years
    BEGIN SELECT RAISE(ABORT, 'a closed register year stays closed'); END;
  CREATE TRIGGER secret_register_years_global_id_once BEFORE UPDATE OF global_id ON secret_register_years WHEN OLD.global_id IS NOT NULL
    BEGIN SELECT RAISE(ABORT, 'a closed register year stays closed'); END;
  CREATE TRIGGER secret_register_years_no_delete BEFORE DELETE ON secret_register_years
    BEGIN SELECT RAISE(ABORT, 'a closed register year stays closed'); END;
  `,
  // 16: the agency's structure over time (org/structure.ts): unit codes and periods, the history of
  //     their names, merges and splits; each person's unit and capacity there; who may direct,
  //     approve and sign (with the signing prefix), from and to a date. Existing units get their
  //     present name as an open-ended first period.
  (db) => {
    db.exec(`
    ALTER TABLE internal_units ADD COLUMN code TEXT NOT NULL DEFAULT '';
    ALTER TABLE internal_units ADD COLUMN valid_from TEXT;
    ALTER TABLE internal_units ADD COLUMN valid_to TEXT;
    CREATE TABLE internal_unit_names (
      id INTEGER PRIMARY KEY,
      global_id TEXT,
      unit_id INTEGER NOT NULL REFERENCES internal_units(id),
      name TEXT NOT NULL,
      code TEXT NOT NULL DEFAULT '',
      valid_from TEXT,
      valid_to TEXT,
      decision TEXT NOT NULL DEFAULT '',
      recorded_by INTEGER REFERENCES users(id),
      recorded_at TEXT NOT NULL
    );
    CREATE UNIQUE INDEX idx_internal_unit_names_global_id ON internal_unit_names(global_id);
    CREATE INDEX idx_internal_unit_names_unit ON internal_unit_names(unit_id, valid_from);
    CREATE TABLE internal_unit_links (
      id INTEGER PRIMARY KEY,
      global_id TEXT,
      predecessor_id INTEGER NOT NULL REFERENCES internal_units(id),
      successor_id INTEGER NOT NULL REFERENCES internal_units(id),
      kind TEXT NOT NULL CHECK (kind IN ('merge','split')),
      on_date TEXT NOT NULL,
      decision TEXT NOT NULL DEFAULT '',
      recorded_by INTEGER NOT NULL REFERENCES users(id),
      recorded_at TEXT NOT NULL,
      UNIQUE (predecessor_id, successor_id)
    );
    CREATE UNIQUE INDEX idx_internal_unit_links_global_id ON internal_unit_links(global_id);
    CREATE INDEX idx_internal_unit_links_successor ON internal_unit_links(successor_id);
    ALTER TABLE users ADD COLUMN unit_id INTEGER REFERENCES internal_units(id);
    ALTER TABLE users ADD COLUMN unit_role TEXT NOT NULL DEFAULT 'member' CHECK (unit_role IN ('head','deputy','member'));
    CREATE INDEX idx_users_unit ON users(unit_id) WHERE unit_id IS NOT NULL;
    CREATE TABLE authorities (
      id INTEGER PRIMARY KEY,
      global_id TEXT,
      user_id INTEGER NOT NULL REFERENCES users(id),
      kind TEXT NOT NULL CHECK (kind IN ('direct','approve','sign')),
      prefix TEXT NOT NULL DEFAULT '' CHECK (prefix IN ('','TM.','KT.','TL.','TUQ.','Q.')),
      on_behalf TEXT NOT NULL DEFAULT '',
      unit_id INTEGER REFERENCES internal_units(id),
      valid_from TEXT NOT NULL,
      valid_to TEXT,
      granted_by INTEGER NOT NULL REFERENCES users(id),
      granted_at TEXT NOT NULL,
      ended_by INTEGER REFERENCES users(id),
      ended_at TEXT,
      CHECK (valid_to IS NULL OR valid_to >= valid_from)
    );
    CREATE UNIQUE INDEX idx_authorities_global_id ON authorities(global_id);
    CREATE INDEX idx_authorities_user ON authorities(user_id, kind);
    `);
    const units = db.prepare("SELECT id, name, created_at FROM internal_units").all();
    const insert = db.prepare("INSERT INTO internal_unit_names (global_id, unit_id, name, recorded_at) VALUES (?,?,?,?)");
    for (const u of units) insert.run(newGlobalId(), u.id, u.name, u.created_at);
  },
  // 17: work files (hồ sơ công việc, main/core/workfiles, docs/work-files.md): the yearly file list
  //     (danh mục hồ sơ) with codes, titles, retention and who is responsible; a year's list closed;
  //     the hand-overs to the archive (biên bản giao nộp). The documents of a file are listed in the
  //     compartment of each document (work_file_items), never here: the base names no subject.
  `
  CREATE TABLE work_files (
    id INTEGER PRIMARY KEY,
    global_id TEXT NOT NULL,
    year INTEGER NOT NULL,
    notation TEXT NOT NULL,
    code TEXT NOT NULL,
    title TEXT NOT NULL,
    retention_years INTEGER,
    access_regime TEXT NOT NULL DEFAULT '',
    language TEXT NOT NULL DEFAULT 'Ti\u1EBFng Vi\u1EC7t',
    description TEXT NOT NULL DEFAULT '',
    responsible_unit_id INTEGER REFERENCES internal_units(id),
    responsible_user_id INTEGER REFERENCES users(id),
    secrecy TEXT NOT NULL DEFAULT 'thuong' CHECK (secrecy IN ('thuong','mat','toi_mat','tuyet_mat')),
    status TEXT NOT NULL DEFAULT 'planned' CHECK (status IN ('planned','open','closed','archived')),
    created_by INTEGER NOT NULL REFERENCES users(id),
    created_at TEXT NOT NULL,
    opened_by INTEGER REFERENCES users(id),
    opened_at TEXT,
    closed_by INTEGER REFERENCES users(id),
    closed_at TEXT,
    closed_on TEXT,
    archive_due TEXT,
    transfer_id INTEGER,
    UNIQUE (year, code)
  );
  CREATE UNIQUE INDEX idx_work_files_global_id ON work_files(global_id);
  CREATE INDEX idx_work_files_due ON work_files(archive_due) WHERE status = 'closed';
  CREATE TABLE work_file_years (
    id INTEGER PRIMARY KEY,
    global_id TEXT NOT NULL,
    year INTEGER NOT NULL UNIQUE,
    closed_by INTEGER NOT NULL REFERENCES users(id),
    closed_at TEXT NOT NULL
  );
  CREATE UNIQUE INDEX idx_work_file_years_global_id ON work_file_years(global_id);
  CREATE TRIGGER work_file_years_no_delete BEFORE DELETE ON work_file_years
    BEGIN SELECT RAISE(ABORT, 'a closed file list stays closed'); END;
  CREATE TABLE archive_transfers (
    id INTEGER PRIMARY KEY,
    global_id TEXT NOT NULL,
    transferred_on TEXT NOT NULL,
    handed_by INTEGER NOT NULL REFERENCES users(id),
    received_by TEXT NOT NULL,
    archive_name TEXT NOT NULL,
    note TEXT NOT NULL DEFAULT '',
    files TEXT NOT NULL,
    recorded_at TEXT NOT NULL
  );
  CREATE UNIQUE INDEX idx_archive_transfers_global_id ON archive_transfers(global_id);
  CREATE TRIGGER archive_transfers_no_update BEFORE UPDATE ON archive_transfers
    BEGIN SELECT RAISE(ABORT, 'a hand-over record is final'); END;
  CREATE TRIGGER archive_transfers_no_delete BEFORE DELETE ON archive_transfers
    BEGIN SELECT RAISE(ABORT, 'a hand-over record is final'); END;
  `,
  // 18: events received from the agency's other workstations and not yet applied (main/core/sync/apply.ts):
  //     kept until every record they reference is here, or set aside with the reason they conflict.
  `
  CREATE TABLE sync_inbox (
    seq INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    body TEXT NOT NULL,
    received_at TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    problem TEXT
  );
  -- Events applied from elsewhere are not sent again (a record moved here keeps its copied history to send).
  ALTER TABLE events ADD COLUMN received INTEGER NOT NULL DEFAULT 0;
  `,
  // 19: every register output closed at year end (reports/closedYears.ts): the Sổ đăng ký văn bản đi,
  //     Sổ đăng ký BMNN đi and Sổ theo dõi giải quyết văn bản đến (replicated, append-only), each with
  //     the SHA-256 and row count of the PDF frozen when it was closed; and the same two facts for a
  //     closed year of an incoming register (Sổ đăng ký văn bản đến), left empty for years closed before.
  `
  CREATE TABLE register_closings (
    id INTEGER PRIMARY KEY,
    global_id TEXT,
    kind TEXT NOT NULL CHECK (kind IN ('outgoing','secret_outgoing','incoming_tracking')),
    year INTEGER NOT NULL,
    closed_at TEXT NOT NULL,
    closed_by INTEGER NOT NULL REFERENCES users(id),
    pdf_sha256 TEXT NOT NULL,
    rows INTEGER NOT NULL,
    UNIQUE (kind, year)
  );
  CREATE UNIQUE INDEX idx_register_closings_global_id ON register_closings(global_id);
  CREATE TRIGGER register_closings_no_update
    BEFORE UPDATE OF kind, year, closed_at, closed_by, pdf_sha256, rows ON register_closings
    BEGIN SELECT RAISE(ABORT, 'a closed register year stays closed'); END;
  CREATE TRIGGER register_closings_global_id_once BEFORE UPDATE OF global_id ON register_closings WHEN OLD.global_id IS NOT NULL
    BEGIN SELECT RAISE(ABORT, 'a closed register year stays closed'); END;
  CREATE TRIGGER register_closings_no_delete BEFORE DELETE ON register_closings
    BEGIN SELECT RAISE(ABORT, 'a closed register year stays closed'); END;
  ALTER TABLE register_years ADD COLUMN pdf_sha256 TEXT;
  ALTER TABLE register_years ADD COLUMN rows INTEGER;
  `,
  // 20: work files shared with a person (need-to-know of a file's title and metadata, workfiles/rules.ts
  //     mayKnowFile, docs/work-files.md): replicated, a share is never taken back silently (append-only).
  `
  CREATE TABLE work_file_shares (
    id INTEGER PRIMARY KEY,
    global_id TEXT NOT NULL,
    work_file_id INTEGER NOT NULL REFERENCES work_files(id),
    user_id INTEGER NOT NULL REFERENCES users(id),
    shared_by INTEGER NOT NULL REFERENCES users(id),
    shared_at TEXT NOT NULL,
    UNIQUE (work_file_id, user_id)
  );
  CREATE UNIQUE INDEX idx_work_file_shares_global_id ON work_file_shares(global_id);
  CREATE INDEX idx_work_file_shares_user ON work_file_shares(user_id);
  CREATE TRIGGER work_file_shares_no_delete BEFORE DELETE ON work_file_shares
    BEGIN SELECT RAISE(ABORT, 'a share is a record'); END;
  `,
  // 21: the legacy import's journal (main/core/import/journal.ts): one row per job (source hash, mapping,
  //     counts, state) and one per source row handled, written in the transaction that registers it, so a
  //     job killed at any point resumes without doing a row twice. Only ids and codes: no record's text.
  `
  CREATE TABLE import_jobs (
    id INTEGER PRIMARY KEY,
    source_path TEXT NOT NULL,
    source_name TEXT NOT NULL,
    source_sha256 TEXT NOT NULL,
    mapping TEXT NOT NULL,
    folder TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('running', 'cancelled', 'done')),
    total INTEGER NOT NULL DEFAULT 0,
    imported INTEGER NOT NULL DEFAULT 0,
    duplicates INTEGER NOT NULL DEFAULT 0,
    rejected INTEGER NOT NULL DEFAULT 0,
    created_by INTEGER NOT NULL REFERENCES users(id),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
  );
  CREATE TABLE import_rows (
    job_id INTEGER NOT NULL REFERENCES import_jobs(id),
    row_key TEXT NOT NULL,
    sheet TEXT NOT NULL,
    row_no INTEGER NOT NULL,
    outcome TEXT NOT NULL CHECK (outcome IN ('imported', 'duplicate', 'rejected')),
    record_id INTEGER,
    reason TEXT NOT NULL DEFAULT '',
    PRIMARY KEY (job_id, row_key)
  ) WITHOUT ROWID;
  CREATE UNIQUE INDEX idx_import_rows_imported ON import_rows(row_key) WHERE outcome = 'imported';
  `,
  // 22: the agency server's sync client (main/core/sync): the outbox of sealed batches waiting to be
  //     sent (a batch is made once, with its ids and bytes, and resent as is until the server has it),
  //     the cursors (events batched per log, server sequence pulled per channel), and the parts of a
  //     large batch being downloaded (so a broken download resumes with a Range request).
  `
  CREATE TABLE sync_outbox (
    id INTEGER PRIMARY KEY,
    batch_id TEXT NOT NULL UNIQUE,
    channel TEXT NOT NULL,
    key_id TEXT,
    encoding TEXT NOT NULL CHECK (encoding IN ('clear','aes-256-gcm')),
    event_ids TEXT NOT NULL,
    payload BLOB NOT NULL,
    first_seq INTEGER NOT NULL,
    last_seq INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT,
    last_error TEXT
  );
  CREATE TABLE sync_state (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
  CREATE TABLE sync_download_parts (
    seq INTEGER NOT NULL,
    sha256 TEXT NOT NULL,
    offset INTEGER NOT NULL,
    bytes BLOB NOT NULL,
    PRIMARY KEY (seq, offset)
  );
  `,
  // 23: provenance of records imported from an offline package (main/core/packages): which
  //     package, from which agency, signed by whom, when; and per document what the import did with it.
  `
  CREATE TABLE package_imports (
    package_id TEXT PRIMARY KEY,
    agency_name TEXT NOT NULL,
    agency_code TEXT NOT NULL,
    exported_at TEXT NOT NULL,
    signer TEXT,
    imported_at TEXT NOT NULL,
    imported_by INTEGER NOT NULL REFERENCES users(id)
  );
  CREATE TABLE package_records (
    package_id TEXT NOT NULL REFERENCES package_imports(package_id),
    global_id TEXT NOT NULL,
    level TEXT NOT NULL,
    outcome TEXT NOT NULL,
    matched_global_id TEXT,
    PRIMARY KEY (package_id, global_id)
  ) WITHOUT ROWID;
  CREATE INDEX idx_package_records_gid ON package_records(global_id);
  `,
  // 24: edXML packets between agencies on this workstation (main/core/sync/packets): the durable outbox
  //     (a packet's id and bytes fixed when queued, resent until the agency server has it; the row stays
  //     as 'sent' or 'refused' with the server's code, its bytes dropped), the inbox the exchange drains
  //     (stored with the pull cursor in one transaction; 'taken' once handed over), and the parts of a
  //     large packet being downloaded (a broken download resumes with Range). Cursor: sync_state 'packets:pull'.
  `
  CREATE TABLE packet_outbox (
    id INTEGER PRIMARY KEY,
    packet_id TEXT NOT NULL UNIQUE,
    sha256 TEXT NOT NULL,
    size INTEGER NOT NULL,
    bytes BLOB,
    created_at TEXT NOT NULL,
    state TEXT NOT NULL DEFAULT 'queued' CHECK (state IN ('queued','sent','refused')),
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at TEXT,
    last_error TEXT,
    error_code TEXT,
    done_at TEXT
  );
  CREATE INDEX idx_packet_outbox_state ON packet_outbox(state, id);
  CREATE TABLE packet_inbox (
    seq INTEGER PRIMARY KEY,
    packet_id TEXT NOT NULL UNIQUE,
    from_code TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    size INTEGER NOT NULL,
    bytes BLOB,
    received_at TEXT NOT NULL,
    fetched_at TEXT NOT NULL,
    taken_at TEXT
  );
  CREATE INDEX idx_packet_inbox_pending ON packet_inbox(taken_at, seq);
  CREATE TABLE packet_download_parts (
    seq INTEGER NOT NULL,
    sha256 TEXT NOT NULL,
    offset INTEGER NOT NULL,
    bytes BLOB NOT NULL,
    PRIMARY KEY (seq, offset)
  );
  `,
  // 25: the exchange between agencies (main/core/exchange, docs/exchange.md): packets the transport
  //     handed in (kept by packet id, so a replay is recognised; the bytes only until they are opened,
  //     and only sealed ciphertext or a Thường packet), packets made to go out (sealed or Thường only,
  //     idempotent by packet id), and the directory of agencies with their certificates.
  `
  CREATE TABLE exchange_inbound (
    packet_id TEXT PRIMARY KEY,
    from_code TEXT NOT NULL,
    received_at TEXT NOT NULL,
    accepted_at TEXT NOT NULL,
    bytes BLOB,
    state TEXT NOT NULL CHECK (state IN ('pending','opened','refused','duplicate')),
    reason TEXT,
    opened_at TEXT
  ) WITHOUT ROWID;
  CREATE INDEX idx_exchange_inbound_pending ON exchange_inbound(accepted_at) WHERE state = 'pending';
  CREATE TABLE exchange_outbox (
    packet_id TEXT PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('document','status')),
    to_code TEXT NOT NULL,
    bytes BLOB NOT NULL,
    made_at TEXT NOT NULL,
    handed_at TEXT
  ) WITHOUT ROWID;
  CREATE INDEX idx_exchange_outbox_waiting ON exchange_outbox(made_at) WHERE handed_at IS NULL;
  CREATE TABLE exchange_agencies (
    code TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    certificates TEXT NOT NULL,
    updated_at TEXT NOT NULL
  ) WITHOUT ROWID;
  `,
  // 26: a work-file share can be withdrawn (by who shared it, the file's handler, a leader or the văn
  //     thư): the row stays (a share is a record) with when and by whom it was withdrawn; sharing again
  //     clears them (each change is an event and an audit entry).
  `
  ALTER TABLE work_file_shares ADD COLUMN withdrawn_at TEXT;
  ALTER TABLE work_file_shares ADD COLUMN withdrawn_by INTEGER REFERENCES users(id);
  `,
  // 27: each person's signature image (hình ảnh chữ ký, NĐ 30/2020 Phụ lục I) that their PAdES signature
  //     shows (org/signatureImage.ts): PNG or JPEG, checked, one per person, set by them or an administrator;
  //     in this SQLCipher database (under the profile's key) and replicated with the person.
  `
  CREATE TABLE signature_images (
    id INTEGER PRIMARY KEY,
    global_id TEXT NOT NULL,
    user_id INTEGER NOT NULL UNIQUE REFERENCES users(id),
    mime TEXT NOT NULL CHECK (mime IN ('image/png','image/jpeg')),
    width INTEGER NOT NULL,
    height INTEGER NOT NULL,
    image BLOB NOT NULL,
    sha256 TEXT NOT NULL,
    set_by INTEGER NOT NULL REFERENCES users(id),
    set_at TEXT NOT NULL
  );
  CREATE UNIQUE INDEX idx_signature_images_global_id ON signature_images(global_id);
  `,
  // 28: number claims (documents/numberClaims.ts). A number is taken in the base and its record written
  //     in a compartment; WAL commits the base first, so a crash between the two commits left a number
  //     with no record. The claim, written with the number, names the record that must hold it; the next
  //     unlock settles it (record there: dropped; missing: the number given back, or the gap audited).
  //     Local to this workstation, never replicated.
  `
  CREATE TABLE number_claims (
    id INTEGER PRIMARY KEY,
    scope_id INTEGER NOT NULL REFERENCES numbering_scopes(id),
    period TEXT NOT NULL,
    bucket TEXT NOT NULL,
    number INTEGER NOT NULL,
    compartment TEXT NOT NULL,
    record_table TEXT NOT NULL CHECK (record_table IN ('incoming','outgoing')),
    record_global_id TEXT NOT NULL,
    claimed_at TEXT NOT NULL
  );
  `,
  // 29: a claim also names its record's local id, so the settlement's audit entry is about the same
  //     entity as the entry that registered or issued it: the log says itself that the record it named
  //     never arrived (null for claims written before, and where the record has no id yet).
  `
  ALTER TABLE number_claims ADD COLUMN record_id INTEGER;
  `,
  // 30: an update packet (BussinessDocType 2) waiting in the exchange's queue when its dispatch is taken
  //     back (status 13) is withdrawn, never sent (exchange/takeBackWithdrawal.ts): the row stays with when
  //     and for which dispatch (its global id; the take-back's reason stays in the compartment).
  `
  ALTER TABLE exchange_outbox ADD COLUMN withdrawn_at TEXT;
  ALTER TABLE exchange_outbox ADD COLUMN withdrawn_for TEXT;
  `,
  // 31: shared registers numbered by the agency server (documents/sharedNumbering.ts, docs/server.md
  //     "Numbering authority"). A register's home workstation (the one that numbers alone while the server
  //     cannot be reached) is a column of the register, synced with it: the workstation that created it
  //     (its first event's origin; a register made from now on takes the creating workstation's id).
  //     The home's offline numbers, and numbers a failed registration owes back, wait in number_reports
  //     until the server has them (local, never replicated; `problem` keeps the server's last conflict).
  `
  ALTER TABLE registers ADD COLUMN home_workstation TEXT;
  UPDATE registers SET home_workstation = COALESCE(
    (SELECT e.origin FROM main.events e WHERE e.entity = 'registers' AND e.entity_id = registers.global_id ORDER BY e.seq LIMIT 1),
    (SELECT value FROM settings WHERE key = 'workstation_id'));
  CREATE TRIGGER registers_home_workstation AFTER INSERT ON registers WHEN NEW.home_workstation IS NULL BEGIN
    UPDATE registers SET home_workstation = (SELECT value FROM settings WHERE key = 'workstation_id') WHERE rowid = NEW.rowid;
  END;
  CREATE TABLE number_reports (
    id INTEGER PRIMARY KEY,
    register_id INTEGER NOT NULL REFERENCES registers(id),
    period TEXT NOT NULL,
    bucket TEXT NOT NULL,
    number INTEGER NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('report','give_back')),
    compartment TEXT,
    record_global_id TEXT NOT NULL UNIQUE,
    made_at TEXT NOT NULL,
    reported_at TEXT,
    problem TEXT
  );
  CREATE INDEX idx_number_reports_pending ON number_reports(reported_at, id);
  `,
  // 32: "Chờ cấp số" (documents/numberWaits.ts): an arrival a non-home workstation registered while the
  //     agency server could not be reached, at the văn thư's choice, waits here for its number, asked of
  //     the server at the next contact under the record's global id (the same number if asked twice).
  //     The record holds a placeholder number meanwhile (awaitingNumber(): negative, unique per record).
  `
  CREATE TABLE number_waits (
    id INTEGER PRIMARY KEY,
    register_id INTEGER NOT NULL REFERENCES registers(id),
    period TEXT NOT NULL,
    bucket TEXT NOT NULL,
    placeholder INTEGER NOT NULL,
    compartment TEXT NOT NULL,
    record_global_id TEXT NOT NULL UNIQUE,
    made_at TEXT NOT NULL,
    number INTEGER,
    numbered_at TEXT,
    problem TEXT
  );
  CREATE INDEX idx_number_waits_open ON number_waits(numbered_at, id);
  `,
  // 33: a refusal reaches the sender (docs/exchange.md, "When a packet is refused"): a packet the hub
  //     refused after the agency server took it comes back on the server's refusal feed (cursor
  //     sync_state 'packets:refusals') and is marked refused here; the exchange then notes it on the
  //     dispatch (a record that syncs) and stamps the row, once (refusal_noted_at).
  `
  ALTER TABLE packet_outbox ADD COLUMN refusal_noted_at TEXT;
  CREATE INDEX idx_packet_outbox_unnoted ON packet_outbox(id) WHERE state = 'refused' AND refusal_noted_at IS NULL;
  `
];

// main/core/privateFiles.ts
import { chmodSync, closeSync as closeSync2, lstatSync, mkdirSync, openSync as openSync2, readdirSync } from "node:fs";
import { join } from "node:path";
var PRIVATE_DIR_MODE = 448;
var PRIVATE_FILE_MODE = 384;
var posix = process.platform !== "win32";
function tighten(path, mode) {
  if (!posix) return;
  try {
    if ((lstatSync(path).mode & 511) !== mode) chmodSync(path, mode);
  } catch {
  }
}
function makePrivateDir(dir) {
  mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
  tighten(dir, PRIVATE_DIR_MODE);
}
function makePrivateFile(file) {
  tighten(file, PRIVATE_FILE_MODE);
}
function createPrivateFile(file) {
  closeSync2(openSync2(file, "a", PRIVATE_FILE_MODE));
  tighten(file, PRIVATE_FILE_MODE);
}
var SMALL_FOLDERS = /* @__PURE__ */ new Set(["compartments", "keyrings", join("keyrings", "people")]);

// main/core/db/connection.ts
function connect(file, opts) {
  if (!opts.hexKey) return { db: new Database2(file, { fileMustExist: false }) };
  const { db, form } = openKeyed(file, opts.hexKey, { fileMustExist: false });
  return { db, keyForm: form };
}
function openDatabase(file, opts = {}) {
  let db;
  createPrivateFile(file);
  for (const f of [`${file}-wal`, `${file}-shm`]) makePrivateFile(f);
  let keyForm;
  try {
    ({ db, keyForm } = connect(file, opts));
    db.pragma("busy_timeout = 5000");
    if (opts.check !== "deferred") {
      const check2 = db.pragma("quick_check", { simple: true });
      if (check2 !== "ok") {
        db.close();
        return openReadOnly(file, opts, `quick_check: ${String(check2).slice(0, 200)}`);
      }
    }
  } catch (err) {
    return openReadOnly(file, opts, err.message);
  }
  db.pragma("synchronous = NORMAL");
  db.pragma("foreign_keys = ON");
  db.pragma("cache_size = -65536");
  if (opts.check !== "deferred") finishOpen(db);
  return { db, readOnly: false, ...keyForm ? { keyForm } : {} };
}
function finishOpen(db) {
  db.pragma("journal_mode = WAL");
  migrate(db);
}
function openReadOnly(file, opts, damage) {
  let db;
  let keyForm;
  try {
    ({ db, form: keyForm } = opts.hexKey ? openKeyed(file, opts.hexKey, { readonly: true }) : { db: new Database2(file, { readonly: true, fileMustExist: true }), form: void 0 });
  } catch {
    db = new Database2(file, { readonly: true, fileMustExist: true });
    try {
      if (opts.hexKey) applyKey(db, opts.hexKey, "raw");
    } catch {
    }
  }
  try {
    db.pragma("query_only = ON");
  } catch {
  }
  return { db, readOnly: true, damage, ...keyForm ? { keyForm } : {} };
}
function migrate(db, report) {
  const from = db.pragma("user_version", { simple: true });
  if (from === MIGRATIONS.length) return;
  const steps = Math.max(1, MIGRATIONS.length - from);
  for (; ; ) {
    const done = db.transaction(() => {
      const v = db.pragma("user_version", { simple: true });
      if (v > MIGRATIONS.length) throw new Error(`database schema ${v} is newer than this build (${MIGRATIONS.length})`);
      if (v === MIGRATIONS.length) return true;
      const step = MIGRATIONS[v];
      const at = Math.min(steps, v - from + 1);
      const tell = (d, total) => report?.({ step: at, steps, done: d, total });
      tell(0, 1);
      if (typeof step === "string") db.exec(step);
      else step(db, (d, total) => tell(d, Math.max(total, d)));
      db.pragma(`user_version = ${v + 1}`);
      tell(1, 1);
      return false;
    }).immediate();
    if (done) return;
  }
}
var ENCRYPT_PHASES = { copy: 1, encrypt: 2, verify: 3 };
function encryptDatabaseCopy(source, target, hexKey, phase) {
  const src = new Database2(source, { fileMustExist: true });
  try {
    src.pragma("busy_timeout = 5000");
    src.pragma("wal_checkpoint(TRUNCATE)");
    createPrivateFile(target);
    phase?.(ENCRYPT_PHASES.copy);
    src.exec(`VACUUM INTO '${target.replace(/'/g, "''")}'`);
  } finally {
    src.close();
  }
  const copy = new Database2(target, { fileMustExist: true });
  try {
    copy.pragma("journal_mode = DELETE");
    copy.pragma(`cipher='sqlcipher'`);
    copy.pragma("legacy=4");
    phase?.(ENCRYPT_PHASES.encrypt);
    copy.pragma(`rekey="x'${hexKey}'"`);
  } finally {
    copy.close();
  }
  phase?.(ENCRYPT_PHASES.verify);
  const check2 = openDatabase(target, { hexKey });
  const orig = new Database2(source, { readonly: true, fileMustExist: true });
  try {
    if (check2.readOnly) throw new Error(`encrypted copy failed its check: ${check2.damage ?? ""}`);
    for (const table of ["users", "incoming", "attachments", "audit_log"]) {
      const a = orig.prepare(`SELECT count(*) FROM ${table}`).pluck().get();
      const b = check2.db.prepare(`SELECT count(*) FROM ${table}`).pluck().get();
      if (a !== b) throw new Error(`encrypted copy differs in ${table}: ${String(a)} vs ${String(b)}`);
    }
  } finally {
    orig.close();
    check2.db.close();
  }
}

// main/core/compartments/schema.ts
var COMPARTMENT_MIGRATIONS = [
  // 1: the records of a level as they were in the single-file profile (schema 12), plus grants.
  `
  CREATE TABLE incoming (
    id INTEGER PRIMARY KEY,
    global_id TEXT NOT NULL,
    register_id INTEGER NOT NULL,
    period TEXT NOT NULL,
    arrival_number INTEGER NOT NULL,
    arrival_date TEXT NOT NULL,
    year INTEGER NOT NULL,
    issuer_unit_id INTEGER,
    issuer_name TEXT NOT NULL,
    number_symbol TEXT NOT NULL,
    number_symbol_key TEXT NOT NULL,
    issuer_key TEXT NOT NULL,
    document_date TEXT NOT NULL,
    type_code TEXT NOT NULL,
    subject TEXT NOT NULL,
    secrecy TEXT NOT NULL CHECK (secrecy IN ('thuong','mat','toi_mat','tuyet_mat')),
    secrecy_rank INTEGER NOT NULL,
    urgency TEXT NOT NULL CHECK (urgency IN ('thuong','khan','thuong_khan','hoa_toc')),
    deadline TEXT,
    status TEXT NOT NULL DEFAULT 'registered',
    recipients TEXT NOT NULL DEFAULT '[]',
    notes TEXT NOT NULL DEFAULT '',
    registered_by INTEGER NOT NULL,
    registered_at TEXT NOT NULL,
    attachment_count INTEGER NOT NULL DEFAULT 0,
    page_count INTEGER,
    copy_count INTEGER,
    signer TEXT NOT NULL DEFAULT '',
    arrival_channel TEXT,
    UNIQUE (register_id, period, arrival_number)
  );
  CREATE UNIQUE INDEX idx_incoming_global_id ON incoming(global_id);
  CREATE INDEX idx_incoming_year ON incoming(year, arrival_date);
  CREATE INDEX idx_incoming_deadline ON incoming(deadline);
  CREATE INDEX idx_incoming_duplicate ON incoming(number_symbol_key, document_date);
  CREATE INDEX idx_incoming_secrecy ON incoming(secrecy_rank, secrecy);
  CREATE INDEX idx_incoming_registered_by ON incoming(registered_by);
  CREATE INDEX idx_incoming_page_arrival ON incoming(arrival_date, id, secrecy_rank);
  CREATE INDEX idx_incoming_page_document_date ON incoming(document_date, id, secrecy_rank);
  CREATE INDEX idx_incoming_page_deadline ON incoming(ifnull(deadline, '9999-12-31'), id, secrecy_rank);
  CREATE INDEX idx_incoming_page_number_symbol ON incoming(number_symbol_key, id, secrecy_rank);
  CREATE INDEX idx_incoming_page_issuer ON incoming(issuer_key, id, secrecy_rank);

  CREATE TABLE attachments (
    id INTEGER PRIMARY KEY,
    global_id TEXT NOT NULL,
    incoming_id INTEGER NOT NULL REFERENCES incoming(id),
    ordinal INTEGER NOT NULL,
    name TEXT NOT NULL,
    size INTEGER NOT NULL,
    mime TEXT NOT NULL,
    is_pdf INTEGER NOT NULL,
    sha256 TEXT NOT NULL
  );
  CREATE UNIQUE INDEX idx_attachments_global_id ON attachments(global_id);
  CREATE INDEX idx_attachments_incoming ON attachments(incoming_id);
  CREATE INDEX idx_attachments_sha256 ON attachments(sha256);

  CREATE VIRTUAL TABLE incoming_fts USING fts5(
    body, content='', contentless_delete=1, tokenize='unicode61 remove_diacritics 0'
  );
  CREATE TABLE search_terms (term TEXT PRIMARY KEY) WITHOUT ROWID;

  CREATE TABLE signatures (
    id INTEGER PRIMARY KEY,
    global_id TEXT NOT NULL,
    incoming_id INTEGER NOT NULL REFERENCES incoming(id),
    attachment_id INTEGER REFERENCES attachments(id),
    signer_fingerprint TEXT NOT NULL,
    signer_name TEXT NOT NULL,
    signed_at TEXT NOT NULL,
    cms BLOB NOT NULL,
    signed_by INTEGER NOT NULL
  );
  CREATE UNIQUE INDEX idx_signatures_global_id ON signatures(global_id);
  CREATE INDEX idx_signatures_incoming ON signatures(incoming_id);

  CREATE TABLE incoming_recipients (
    id INTEGER PRIMARY KEY,
    global_id TEXT,
    incoming_id INTEGER NOT NULL REFERENCES incoming(id),
    ordinal INTEGER NOT NULL,
    internal_unit_id INTEGER,
    user_id INTEGER,
    name TEXT NOT NULL,
    CHECK (internal_unit_id IS NULL OR user_id IS NULL)
  );
  CREATE UNIQUE INDEX idx_incoming_recipients_global_id ON incoming_recipients(global_id);
  CREATE INDEX idx_incoming_recipients_incoming ON incoming_recipients(incoming_id);
  CREATE INDEX idx_incoming_recipients_user ON incoming_recipients(user_id) WHERE user_id IS NOT NULL;

  CREATE TABLE incoming_handovers (
    id INTEGER PRIMARY KEY,
    global_id TEXT,
    incoming_id INTEGER NOT NULL REFERENCES incoming(id),
    internal_unit_id INTEGER,
    user_id INTEGER,
    recipient_name TEXT NOT NULL,
    handed_on TEXT NOT NULL,
    handed_by INTEGER NOT NULL,
    recorded_at TEXT NOT NULL,
    note TEXT NOT NULL DEFAULT '',
    acknowledged_by INTEGER,
    acknowledged_at TEXT,
    CHECK (internal_unit_id IS NOT NULL OR user_id IS NOT NULL)
  );
  CREATE UNIQUE INDEX idx_incoming_handovers_global_id ON incoming_handovers(global_id);
  CREATE INDEX idx_incoming_handovers_incoming ON incoming_handovers(incoming_id);
  CREATE INDEX idx_incoming_handovers_pending ON incoming_handovers(user_id) WHERE acknowledged_at IS NULL;

  CREATE TABLE incoming_corrections (
    id INTEGER PRIMARY KEY,
    global_id TEXT,
    incoming_id INTEGER NOT NULL REFERENCES incoming(id),
    corrected_by INTEGER NOT NULL,
    corrected_at TEXT NOT NULL,
    reason TEXT NOT NULL,
    old_values TEXT NOT NULL,
    new_values TEXT NOT NULL
  );
  CREATE UNIQUE INDEX idx_incoming_corrections_global_id ON incoming_corrections(global_id);
  CREATE INDEX idx_incoming_corrections_incoming ON incoming_corrections(incoming_id);
  CREATE TRIGGER incoming_corrections_no_update
    BEFORE UPDATE OF incoming_id, corrected_by, corrected_at, reason, old_values, new_values ON incoming_corrections
    BEGIN SELECT RAISE(ABORT, 'corrections are append-only'); END;
  CREATE TRIGGER incoming_corrections_global_id_once BEFORE UPDATE OF global_id ON incoming_corrections WHEN OLD.global_id IS NOT NULL
    BEGIN SELECT RAISE(ABORT, 'corrections are append-only'); END;
  CREATE TRIGGER incoming_corrections_no_delete BEFORE DELETE ON incoming_corrections
    BEGIN SELECT RAISE(ABORT, 'corrections are append-only'); END;

  -- Need-to-know: a classified document is seen by the people in its distribution; a grant by name
  -- adds one (with its reason), and is revoked by setting revoked_at (the row stays: it is history).
  CREATE TABLE grants (
    id INTEGER PRIMARY KEY,
    global_id TEXT NOT NULL,
    incoming_id INTEGER NOT NULL REFERENCES incoming(id),
    user_id INTEGER NOT NULL,
    reason TEXT NOT NULL,
    granted_by INTEGER NOT NULL,
    granted_at TEXT NOT NULL,
    revoked_by INTEGER,
    revoked_at TEXT,
    revoke_reason TEXT
  );
  CREATE UNIQUE INDEX idx_grants_global_id ON grants(global_id);
  CREATE INDEX idx_grants_incoming ON grants(incoming_id);
  CREATE INDEX idx_grants_user ON grants(user_id, incoming_id) WHERE revoked_at IS NULL;

  CREATE TABLE events (
    seq INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    at TEXT NOT NULL,
    origin TEXT NOT NULL,
    actor TEXT,
    entity TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('create','update','delete')),
    data TEXT NOT NULL
  );
  CREATE INDEX idx_events_entity ON events(entity_id, seq);
  CREATE TRIGGER events_no_update BEFORE UPDATE ON events BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;
  CREATE TRIGGER events_no_delete BEFORE DELETE ON events BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;

  -- Which level this file holds, written once: a compartment file copied over another level's is refused.
  CREATE TABLE compartment (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;

  CREATE TABLE change_counters (name TEXT PRIMARY KEY, n INTEGER NOT NULL) WITHOUT ROWID;
  INSERT INTO change_counters (name, n) VALUES ('incoming', 0);
  CREATE TRIGGER incoming_counted_insert AFTER INSERT ON incoming
    BEGIN UPDATE change_counters SET n = n + 1 WHERE name = 'incoming'; END;
  CREATE TRIGGER incoming_counted_update AFTER UPDATE ON incoming
    BEGIN UPDATE change_counters SET n = n + 1 WHERE name = 'incoming'; END;
  CREATE TRIGGER incoming_counted_delete AFTER DELETE ON incoming
    BEGIN UPDATE change_counters SET n = n + 1 WHERE name = 'incoming'; END;
  `,
  // 2: the controls of the state-secrets law, kept with the records of their level: permissions to
  //    copy or print and the copy register (Sổ quản lý sao, chụp BMNN), level changes and
  //    declassification (proposed by one authorised person, confirmed by another), holds that stop a
  //    destruction, and the destruction records (biên bản) that are all that remains of a destroyed record.
  `
  CREATE TABLE copy_approvals (
    id INTEGER PRIMARY KEY,
    global_id TEXT NOT NULL,
    incoming_id INTEGER NOT NULL REFERENCES incoming(id),
    kind TEXT NOT NULL CHECK (kind IN ('print','sao_y','trich_sao','sao_luc')),
    copies INTEGER NOT NULL CHECK (copies BETWEEN 1 AND 100),
    for_user_id INTEGER NOT NULL,
    allowed_by INTEGER NOT NULL,
    allowed_at TEXT NOT NULL,
    reason TEXT NOT NULL,
    used_at TEXT
  );
  CREATE UNIQUE INDEX idx_copy_approvals_global_id ON copy_approvals(global_id);
  CREATE INDEX idx_copy_approvals_incoming ON copy_approvals(incoming_id);

  CREATE TABLE copies (
    id INTEGER PRIMARY KEY,
    global_id TEXT NOT NULL,
    incoming_id INTEGER NOT NULL REFERENCES incoming(id),
    kind TEXT NOT NULL CHECK (kind IN ('print','sao_y','trich_sao','sao_luc')),
    year INTEGER NOT NULL,
    first_number INTEGER NOT NULL,
    copies INTEGER NOT NULL,
    allowed_by INTEGER NOT NULL,
    approval_id INTEGER REFERENCES copy_approvals(id),
    made_by INTEGER NOT NULL,
    made_at TEXT NOT NULL,
    reason TEXT NOT NULL,
    sha256 TEXT NOT NULL
  );
  CREATE UNIQUE INDEX idx_copies_global_id ON copies(global_id);
  CREATE INDEX idx_copies_incoming ON copies(incoming_id);
  CREATE INDEX idx_copies_year ON copies(year, first_number);

  CREATE TABLE level_changes (
    id INTEGER PRIMARY KEY,
    global_id TEXT NOT NULL,
    incoming_id INTEGER NOT NULL,
    from_level TEXT NOT NULL,
    to_level TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('raise','lower','declassify','declassify_part','extend')),
    authority TEXT NOT NULL,
    reason TEXT NOT NULL,
    part TEXT NOT NULL DEFAULT '',
    decided_on TEXT NOT NULL,
    proposed_by INTEGER NOT NULL,
    proposed_at TEXT NOT NULL,
    confirmed_by INTEGER,
    confirmed_at TEXT,
    cancelled_at TEXT,
    notice TEXT,
    CHECK (confirmed_by IS NULL OR confirmed_by <> proposed_by)
  );
  CREATE UNIQUE INDEX idx_level_changes_global_id ON level_changes(global_id);
  CREATE INDEX idx_level_changes_incoming ON level_changes(incoming_id);

  -- A protection period shorter than the law's (written on the document), or one extended by decision.
  ALTER TABLE incoming ADD COLUMN protection_until TEXT;
  -- Marks of the law: "T\xE0i li\u1EC7u thu h\u1ED3i" (to be returned), and "Ch\u1EC9 ng\u01B0\u1EDDi c\xF3 t\xEAn m\u1EDBi \u0111\u01B0\u1EE3c b\xF3c b\xEC":
  -- the files are then sealed (CMS) for the named person's certificates only; the v\u0103n th\u01B0 registers
  -- the envelope without seeing inside.
  ALTER TABLE incoming ADD COLUMN recalled INTEGER NOT NULL DEFAULT 0;
  ALTER TABLE incoming ADD COLUMN named_user_id INTEGER;
  ALTER TABLE attachments ADD COLUMN sealed_for INTEGER;
  -- K\xFD nh\u1EADn with the receiver's token: a detached CMS signature over the acknowledgement statement.
  ALTER TABLE incoming_handovers ADD COLUMN ack_cms BLOB;
  ALTER TABLE incoming_handovers ADD COLUMN ack_signer TEXT;

  CREATE TABLE holds (
    id INTEGER PRIMARY KEY,
    global_id TEXT NOT NULL,
    incoming_id INTEGER NOT NULL REFERENCES incoming(id),
    reason TEXT NOT NULL,
    placed_by INTEGER NOT NULL,
    placed_at TEXT NOT NULL,
    released_by INTEGER,
    released_at TEXT
  );
  CREATE UNIQUE INDEX idx_holds_global_id ON holds(global_id);
  CREATE INDEX idx_holds_incoming ON holds(incoming_id) WHERE released_at IS NULL;

  CREATE TABLE destructions (
    id INTEGER PRIMARY KEY,
    global_id TEXT NOT NULL,
    incoming_id INTEGER NOT NULL,
    incoming_global_id TEXT NOT NULL,
    register_id INTEGER NOT NULL,
    year INTEGER NOT NULL,
    arrival_number INTEGER NOT NULL,
    decision TEXT NOT NULL,
    authority TEXT NOT NULL,
    reason TEXT NOT NULL,
    decided_on TEXT NOT NULL,
    destroyed_by INTEGER NOT NULL,
    destroyed_at TEXT NOT NULL,
    files INTEGER NOT NULL
  );
  CREATE UNIQUE INDEX idx_destructions_global_id ON destructions(global_id);
  CREATE UNIQUE INDEX idx_destructions_incoming ON destructions(incoming_id);
  `,
  // 3: automatic declassification and restricted Thường records.
  //    - level_changes.automatic: a declassification the law made at the end of the protection period
  //      (secrets/AutoDeclassification.ts): no second confirmation, the signed-in person as witness.
  //    - auto_declassify_skips: a record whose period has ended but that the job left (on hold, a
  //      level decision pending), with the reason, until it is declassified or the reason goes.
  //    - restrictions: "Hạn chế phạm vi" on a Thường record: it then follows need-to-know like a
  //      classified one (documents/needToKnow.ts). A table, not a column: the officers' lists and counts
  //      test it against this small index, never reading the records themselves.
  `
  ALTER TABLE level_changes ADD COLUMN automatic INTEGER NOT NULL DEFAULT 0;
  CREATE TABLE auto_declassify_skips (
    incoming_id INTEGER PRIMARY KEY,
    reason TEXT NOT NULL CHECK (reason IN ('hold','pending')),
    since TEXT NOT NULL,
    checked_at TEXT NOT NULL
  );
  CREATE TABLE restrictions (
    id INTEGER PRIMARY KEY,
    global_id TEXT NOT NULL,
    incoming_id INTEGER NOT NULL REFERENCES incoming(id),
    reason TEXT NOT NULL DEFAULT '',
    placed_by INTEGER NOT NULL,
    placed_at TEXT NOT NULL,
    lifted_by INTEGER,
    lifted_at TEXT
  );
  CREATE UNIQUE INDEX idx_restrictions_global_id ON restrictions(global_id);
  CREATE INDEX idx_restrictions_active ON restrictions(incoming_id) WHERE lifted_at IS NULL;
  `,
  // 4: the protection periods written on documents, indexed, so that the automatic declassification at
  //    every unlock finds what is due by two index ranges (this and the document date) instead of
  //    reading every record of the level.
  `
  CREATE INDEX idx_incoming_protection_until ON incoming(protection_until) WHERE protection_until IS NOT NULL;
  `,
  // 5: work files (main/core/workfiles): a document's membership of a work file, kept with the
  //    document at its level, so that the list of a file's documents is readable only by those who hold
  //    the level. kind + record id name any kind of record (incoming today; outgoing and drafts later);
  //    incoming_id is set for incoming documents so the row moves and is destroyed with the record.
  `
  CREATE TABLE work_file_items (
    id INTEGER PRIMARY KEY,
    global_id TEXT NOT NULL,
    work_file_id INTEGER NOT NULL,
    work_file_global_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    record_id INTEGER NOT NULL,
    record_global_id TEXT NOT NULL,
    incoming_id INTEGER REFERENCES incoming(id),
    added_by INTEGER NOT NULL,
    added_at TEXT NOT NULL,
    UNIQUE (work_file_id, kind, record_id)
  );
  CREATE UNIQUE INDEX idx_work_file_items_global_id ON work_file_items(global_id);
  CREATE INDEX idx_work_file_items_record ON work_file_items(kind, record_id);
  CREATE INDEX idx_work_file_items_incoming ON work_file_items(incoming_id) WHERE incoming_id IS NOT NULL;
  `,
  // 6: processing incoming documents (main/core/processing): the timeline of steps (immutable rows,
  //    submission, direction, assignment, progress, drafts, extension, completion, return) and the
  //    current state per document and assignee (processing_tasks, denormalised so that every inbox and
  //    the overdue view is one range of a partial index). incoming.edxml_status is the document's
  //    edXML status code (03 registered … 06 done, 02 returned) for the exchange to send back.
  `
  ALTER TABLE incoming ADD COLUMN edxml_status TEXT NOT NULL DEFAULT '03';
  -- A handler's draft is a file of the document's level, kept apart from the document's own files.
  ALTER TABLE attachments ADD COLUMN draft_step_id INTEGER;
  CREATE TABLE processing_steps (
    id INTEGER PRIMARY KEY,
    global_id TEXT NOT NULL,
    incoming_id INTEGER NOT NULL REFERENCES incoming(id),
    kind TEXT NOT NULL CHECK (kind IN ('submit','direct','assign','progress','draft','extension_request','extension_decision','complete','return')),
    actor_id INTEGER NOT NULL,
    at TEXT NOT NULL,
    task_id INTEGER,
    revises_id INTEGER,
    to_user_id INTEGER,
    to_unit_id INTEGER,
    deadline TEXT,
    text TEXT NOT NULL DEFAULT '',
    data TEXT NOT NULL DEFAULT '{}',
    status_code TEXT NOT NULL
  );
  CREATE UNIQUE INDEX idx_processing_steps_global_id ON processing_steps(global_id);
  CREATE INDEX idx_processing_steps_incoming ON processing_steps(incoming_id, id);
  -- A step is history: never changed (removed only with its record, by a destruction or a level move).
  CREATE TRIGGER processing_steps_no_update BEFORE UPDATE ON processing_steps
    BEGIN SELECT RAISE(ABORT, 'processing steps are immutable'); END;

  CREATE TABLE processing_tasks (
    id INTEGER PRIMARY KEY,
    global_id TEXT NOT NULL,
    incoming_id INTEGER NOT NULL REFERENCES incoming(id),
    role TEXT NOT NULL CHECK (role IN ('direct','lead','cooperate','inform','handle')),
    box TEXT NOT NULL CHECK (box IN ('opinion','handle','info')),
    user_id INTEGER,
    unit_id INTEGER,
    parent_id INTEGER,
    state TEXT NOT NULL CHECK (state IN ('open','delegated','done','closed','returned','info')),
    due TEXT NOT NULL DEFAULT '9999-12-31',
    due_at TEXT,
    progress INTEGER NOT NULL DEFAULT 0,
    progress_note TEXT NOT NULL DEFAULT '',
    extension_until TEXT,
    extension_reason TEXT,
    direction_id INTEGER,
    created_by INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    CHECK (user_id IS NOT NULL OR unit_id IS NOT NULL)
  );
  CREATE UNIQUE INDEX idx_processing_tasks_global_id ON processing_tasks(global_id);
  CREATE INDEX idx_processing_tasks_incoming ON processing_tasks(incoming_id, user_id);
  -- The inboxes: a person's (Ch\u1EDD cho \xFD ki\u1EBFn, C\u1EA7n x\u1EED l\xFD), a unit's awaiting assignment, and what is due.
  CREATE INDEX idx_processing_tasks_person ON processing_tasks(user_id, box, due, id) WHERE state = 'open';
  CREATE INDEX idx_processing_tasks_person_due ON processing_tasks(user_id, due) WHERE state = 'open';
  CREATE INDEX idx_processing_tasks_unit ON processing_tasks(unit_id, due, id) WHERE state = 'open' AND user_id IS NULL;
  CREATE INDEX idx_processing_tasks_due ON processing_tasks(due, id) WHERE state = 'open';
  CREATE INDEX idx_processing_tasks_extension ON processing_tasks(id) WHERE state = 'open' AND extension_until IS NOT NULL;
  `,
  // 7: outgoing documents (main/core/outgoing): the draft and its metadata (Phụ lục VI), its files per
  //    version, the ordered approval chain, the immutable trail of steps (each approval, return,
  //    signature, the issue, the recall), the signatures, the recipients chosen and one dispatch
  //    record per recipient made at the issue (what the exchange sends). The number is unique per
  //    register, period and bucket, so an issue can never take one twice.
  `
  CREATE TABLE outgoing (
    id INTEGER PRIMARY KEY,
    global_id TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('draft','in_review','approved','signer_signed','agency_signed','issued','recalled')),
    type_code TEXT NOT NULL,
    subject TEXT NOT NULL,
    secrecy TEXT NOT NULL CHECK (secrecy IN ('thuong','mat','toi_mat','tuyet_mat')),
    secrecy_rank INTEGER NOT NULL,
    urgency TEXT NOT NULL CHECK (urgency IN ('thuong','khan','thuong_khan','hoa_toc')),
    signer_id INTEGER NOT NULL,
    signer_competence TEXT NOT NULL DEFAULT '',
    drafted_by INTEGER NOT NULL,
    drafting_unit TEXT NOT NULL DEFAULT '',
    issued_amount INTEGER,
    reply_deadline TEXT,
    page_count INTEGER,
    notes TEXT NOT NULL DEFAULT '',
    approvers TEXT NOT NULL DEFAULT '[]',
    current_step INTEGER NOT NULL DEFAULT 0,
    version INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    register_id INTEGER,
    period TEXT,
    bucket TEXT,
    number INTEGER,
    number_symbol TEXT,
    issued_date TEXT,
    issued_at TEXT,
    issued_by INTEGER,
    recalled_at TEXT,
    recalled_by INTEGER,
    recall_reason TEXT,
    replaces_id INTEGER,
    replaced_by_id INTEGER
  );
  CREATE UNIQUE INDEX idx_outgoing_global_id ON outgoing(global_id);
  CREATE UNIQUE INDEX idx_outgoing_number ON outgoing(register_id, period, bucket, number) WHERE number IS NOT NULL;
  CREATE INDEX idx_outgoing_status ON outgoing(status, id);
  CREATE INDEX idx_outgoing_issued ON outgoing(issued_date, number) WHERE issued_date IS NOT NULL;
  -- An issued document is frozen: what it says, its number and its files' version never change.
  CREATE TRIGGER outgoing_frozen BEFORE UPDATE OF type_code, subject, secrecy, urgency, signer_id, version, number, number_symbol, issued_date, register_id ON outgoing
    WHEN OLD.status IN ('issued','recalled')
    BEGIN SELECT RAISE(ABORT, 'outgoing document is issued'); END;

  CREATE TABLE outgoing_files (
    id INTEGER PRIMARY KEY,
    global_id TEXT NOT NULL,
    outgoing_id INTEGER NOT NULL REFERENCES outgoing(id),
    version INTEGER NOT NULL,
    ordinal INTEGER NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('main','appendix')),
    name TEXT NOT NULL,
    size INTEGER NOT NULL,
    mime TEXT NOT NULL,
    is_pdf INTEGER NOT NULL,
    sha256 TEXT NOT NULL,
    -- The PDF with the PAdES signatures made so far (each an incremental update of the one before).
    signed_sha256 TEXT,
    UNIQUE (outgoing_id, version, ordinal)
  );
  CREATE UNIQUE INDEX idx_outgoing_files_global_id ON outgoing_files(global_id);

  CREATE TABLE outgoing_steps (
    id INTEGER PRIMARY KEY,
    global_id TEXT NOT NULL,
    outgoing_id INTEGER NOT NULL REFERENCES outgoing(id),
    kind TEXT NOT NULL,
    position INTEGER,
    version INTEGER NOT NULL,
    actor_id INTEGER NOT NULL,
    at TEXT NOT NULL,
    comment TEXT NOT NULL DEFAULT ''
  );
  CREATE UNIQUE INDEX idx_outgoing_steps_global_id ON outgoing_steps(global_id);
  CREATE INDEX idx_outgoing_steps_doc ON outgoing_steps(outgoing_id, id);
  CREATE TRIGGER outgoing_steps_no_update BEFORE UPDATE ON outgoing_steps BEGIN SELECT RAISE(ABORT, 'outgoing_steps is append-only'); END;
  CREATE TRIGGER outgoing_steps_no_delete BEFORE DELETE ON outgoing_steps BEGIN SELECT RAISE(ABORT, 'outgoing_steps is append-only'); END;

  CREATE TABLE outgoing_signatures (
    id INTEGER PRIMARY KEY,
    global_id TEXT NOT NULL,
    outgoing_id INTEGER NOT NULL REFERENCES outgoing(id),
    role TEXT NOT NULL CHECK (role IN ('signer','agency')),
    file_id INTEGER NOT NULL REFERENCES outgoing_files(id),
    format TEXT NOT NULL CHECK (format IN ('cades','pades')),
    signer_fingerprint TEXT NOT NULL,
    signer_name TEXT NOT NULL,
    signed_at TEXT NOT NULL,
    signed_by INTEGER NOT NULL,
    cms BLOB,
    result_sha256 TEXT
  );
  CREATE UNIQUE INDEX idx_outgoing_signatures_global_id ON outgoing_signatures(global_id);
  CREATE INDEX idx_outgoing_signatures_doc ON outgoing_signatures(outgoing_id);

  CREATE TABLE outgoing_recipients (
    id INTEGER PRIMARY KEY,
    global_id TEXT NOT NULL,
    outgoing_id INTEGER NOT NULL REFERENCES outgoing(id),
    ordinal INTEGER NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('internal','external')),
    internal_unit_id INTEGER,
    unit_id INTEGER,
    code TEXT,
    name TEXT NOT NULL
  );
  CREATE UNIQUE INDEX idx_outgoing_recipients_global_id ON outgoing_recipients(global_id);
  CREATE INDEX idx_outgoing_recipients_doc ON outgoing_recipients(outgoing_id);

  CREATE TABLE outgoing_dispatches (
    id INTEGER PRIMARY KEY,
    global_id TEXT NOT NULL,
    outgoing_id INTEGER NOT NULL REFERENCES outgoing(id),
    recipient_id INTEGER NOT NULL REFERENCES outgoing_recipients(id),
    status TEXT NOT NULL CHECK (status IN ('pending','sent','recalled')),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (outgoing_id, recipient_id)
  );
  CREATE UNIQUE INDEX idx_outgoing_dispatches_global_id ON outgoing_dispatches(global_id);
  CREATE INDEX idx_outgoing_dispatches_status ON outgoing_dispatches(status, id);
  `,
  // 8: events of this level received from the agency's other workstations and not yet applied
  //    (main/core/sync/apply.ts), kept under the level's key like the records they carry.
  `
  CREATE TABLE sync_inbox (
    seq INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    body TEXT NOT NULL,
    received_at TEXT NOT NULL,
    attempts INTEGER NOT NULL DEFAULT 0,
    problem TEXT
  );
  -- Events applied from elsewhere are not sent again (a record moved here keeps its copied history to send).
  ALTER TABLE events ADD COLUMN received INTEGER NOT NULL DEFAULT 0;
  `,
  // 9: OCR of scanned files (main/core/ocr): the queue of this level's files waiting to be read (one
  //    row per attachment, resumable page by page) and the text of each page done, recognised or
  //    taken from the PDF's text layer, kept under the level's key like the file itself. The text also
  //    goes into the record's folded full-text index (documents/search.ts).
  `
  CREATE TABLE ocr_queue (
    attachment_id INTEGER PRIMARY KEY,
    incoming_id INTEGER NOT NULL,
    state TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending','done','failed')),
    pages INTEGER,
    pages_done INTEGER NOT NULL DEFAULT 0,
    pages_recognised INTEGER NOT NULL DEFAULT 0,
    attempts INTEGER NOT NULL DEFAULT 0,
    problem TEXT,
    queued_at TEXT NOT NULL,
    finished_at TEXT
  );
  CREATE INDEX idx_ocr_queue_pending ON ocr_queue(attachment_id) WHERE state = 'pending';
  CREATE INDEX idx_ocr_queue_incoming ON ocr_queue(incoming_id);
  CREATE TABLE ocr_pages (
    attachment_id INTEGER NOT NULL,
    page INTEGER NOT NULL,
    incoming_id INTEGER NOT NULL,
    source TEXT NOT NULL CHECK (source IN ('ocr','text')),
    text TEXT NOT NULL,
    done_at TEXT NOT NULL,
    PRIMARY KEY (attachment_id, page)
  ) WITHOUT ROWID;
  CREATE INDEX idx_ocr_pages_incoming ON ocr_pages(incoming_id);
  `,
  // 10: the exchange between agencies at this level (main/core/exchange): electronic documents received
  //    (Văn bản điện tử đến: the packet's header, its verification, its files in this level's store,
  //    what the văn thư did), the statuses this agency owes the sender (each made into a signed packet
  //    once, by its deterministic packet id) and the statuses recipients reported on our dispatches.
  `
  CREATE TABLE exchange_inbox (
    id INTEGER PRIMARY KEY,
    global_id TEXT NOT NULL UNIQUE,
    packet_id TEXT NOT NULL UNIQUE,
    from_code TEXT NOT NULL,
    from_name TEXT NOT NULL,
    document_id TEXT NOT NULL,
    business_type INTEGER NOT NULL,
    business_reason TEXT,
    header TEXT NOT NULL,
    verification TEXT NOT NULL,
    files TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('waiting','registered','refused','recalled','applied')),
    reason TEXT,
    notice TEXT,
    incoming_id INTEGER,
    original_id INTEGER,
    received_at TEXT NOT NULL,
    decided_by INTEGER,
    decided_at TEXT
  );
  CREATE INDEX idx_exchange_inbox_doc ON exchange_inbox(from_code, document_id);
  CREATE INDEX idx_exchange_inbox_state ON exchange_inbox(state, received_at);
  CREATE INDEX idx_exchange_inbox_incoming ON exchange_inbox(incoming_id) WHERE incoming_id IS NOT NULL;
  CREATE TABLE exchange_status_out (
    packet_id TEXT PRIMARY KEY,
    inbox_id INTEGER NOT NULL REFERENCES exchange_inbox(id),
    code TEXT NOT NULL,
    description TEXT,
    at TEXT NOT NULL,
    made INTEGER NOT NULL DEFAULT 0
  ) WITHOUT ROWID;
  CREATE INDEX idx_exchange_status_out_unmade ON exchange_status_out(at) WHERE made = 0;
  CREATE TABLE exchange_status_in (
    packet_id TEXT PRIMARY KEY,
    outgoing_id INTEGER NOT NULL REFERENCES outgoing(id),
    dispatch_id INTEGER NOT NULL REFERENCES outgoing_dispatches(id),
    from_code TEXT NOT NULL,
    code TEXT NOT NULL,
    description TEXT,
    staff TEXT,
    at TEXT,
    received_at TEXT NOT NULL
  ) WITHOUT ROWID;
  CREATE INDEX idx_exchange_status_in_dispatch ON exchange_status_in(dispatch_id, received_at);
  `,
  // 11: appendices inside the main PDF of an outgoing document (NĐ 30/2020 Phụ lục I): the pages where
  //    they start (JSON array, 1-based, increasing); the issue writes "số, ký hiệu; thời gian ký" on each.
  `
  ALTER TABLE outgoing ADD COLUMN appendix_pages TEXT NOT NULL DEFAULT '[]';
  `,
  // 12: the exchange's statuses become records that sync between the agency's workstations (docs/exchange.md):
  //    each gets a row id and a global id (rows from before: ids above the record sequence's reach and
  //    random UUIDv7s; the old tables had no rowid); the packet id stays unique.
  `
  CREATE TABLE exchange_status_out_v12 (
    id INTEGER PRIMARY KEY,
    global_id TEXT NOT NULL UNIQUE,
    packet_id TEXT NOT NULL UNIQUE,
    inbox_id INTEGER NOT NULL REFERENCES exchange_inbox(id),
    code TEXT NOT NULL,
    description TEXT,
    at TEXT NOT NULL,
    made INTEGER NOT NULL DEFAULT 0
  );
  INSERT INTO exchange_status_out_v12 (id, global_id, packet_id, inbox_id, code, description, at, made)
    SELECT 4503599627370496 + row_number() OVER (ORDER BY packet_id), lower(printf('%s-%s-7%s-%s%s-%s', hex(randomblob(4)), hex(randomblob(2)), substr(hex(randomblob(2)), 2), substr('89ab', 1 + abs(random()) % 4, 1), substr(hex(randomblob(2)), 2), hex(randomblob(6)))), packet_id, inbox_id, code, description, at, made FROM exchange_status_out;
  DROP TABLE exchange_status_out;
  ALTER TABLE exchange_status_out_v12 RENAME TO exchange_status_out;
  CREATE INDEX idx_exchange_status_out_unmade ON exchange_status_out(at) WHERE made = 0;
  CREATE INDEX idx_exchange_status_out_inbox ON exchange_status_out(inbox_id);
  CREATE TABLE exchange_status_in_v12 (
    id INTEGER PRIMARY KEY,
    global_id TEXT NOT NULL UNIQUE,
    packet_id TEXT NOT NULL UNIQUE,
    outgoing_id INTEGER NOT NULL REFERENCES outgoing(id),
    dispatch_id INTEGER NOT NULL REFERENCES outgoing_dispatches(id),
    from_code TEXT NOT NULL,
    code TEXT NOT NULL,
    description TEXT,
    staff TEXT,
    at TEXT,
    received_at TEXT NOT NULL
  );
  INSERT INTO exchange_status_in_v12 (id, global_id, packet_id, outgoing_id, dispatch_id, from_code, code, description, staff, at, received_at)
    SELECT 4503599627370496 + row_number() OVER (ORDER BY packet_id), lower(printf('%s-%s-7%s-%s%s-%s', hex(randomblob(4)), hex(randomblob(2)), substr(hex(randomblob(2)), 2), substr('89ab', 1 + abs(random()) % 4, 1), substr(hex(randomblob(2)), 2), hex(randomblob(6)))), packet_id, outgoing_id, dispatch_id, from_code, code, description, staff, at, received_at FROM exchange_status_in;
  DROP TABLE exchange_status_in;
  ALTER TABLE exchange_status_in_v12 RENAME TO exchange_status_in;
  CREATE INDEX idx_exchange_status_in_dispatch ON exchange_status_in(dispatch_id, received_at);
  `
];
function migrateCompartment(db, level, profileId, report) {
  const from = db.pragma("user_version", { simple: true });
  const steps = Math.max(1, COMPARTMENT_MIGRATIONS.length - from);
  for (; ; ) {
    const done = db.transaction(() => {
      const v = db.pragma("user_version", { simple: true });
      if (v > COMPARTMENT_MIGRATIONS.length) throw new Error(`compartment schema ${v} is newer than this build (${COMPARTMENT_MIGRATIONS.length})`);
      if (v === COMPARTMENT_MIGRATIONS.length) return true;
      const step = Math.min(steps, v - from + 1);
      report?.({ step, steps, done: 0, total: 1 });
      db.exec(COMPARTMENT_MIGRATIONS[v]);
      if (v === 0) {
        db.prepare("INSERT INTO compartment (key, value) VALUES ('level', ?), ('profile', ?)").run(level, profileId);
      }
      db.pragma(`user_version = ${v + 1}`);
      report?.({ step, steps, done: 1, total: 1 });
      return false;
    }).immediate();
    if (done) return;
  }
}
function compartmentIdentity(db, schema = "main") {
  const rows = db.prepare(`SELECT key, value FROM ${schema}.compartment`).all();
  return Object.fromEntries(rows.map((r) => [r.key, r.value]));
}

// main/core/compartments/attach.ts
import Database3 from "better-sqlite3-multiple-ciphers";
import { dirname as dirname2 } from "node:path";

// main/core/compartments/levels.ts
var schemaOf = (level) => `c_${level}`;

// main/core/compartments/attach.ts
var CompartmentMismatch = class extends Error {
};
function prepareCompartment(file, k, profileId, create) {
  makePrivateDir(dirname2(file));
  if (create) createPrivateFile(file);
  for (const f of [file, `${file}-wal`, `${file}-shm`]) makePrivateFile(f);
  const db = new Database3(file, { fileMustExist: !create });
  try {
    applyKey(db, k.key.toString("hex"), "raw");
    db.pragma("busy_timeout = 5000");
    db.pragma("journal_mode = WAL");
    migrateCompartment(db, k.level, profileId);
    const id = compartmentIdentity(db);
    if (id.level !== k.level) throw new CompartmentMismatch(`compartment file for ${k.level} holds level ${String(id.level)}`);
    if (id.profile !== profileId) throw new CompartmentMismatch(`compartment file for ${k.level} belongs to another profile`);
  } finally {
    db.close();
  }
}
function attachCompartment(db, file, k) {
  const schema = schemaOf(k.level);
  db.prepare(`ATTACH DATABASE ? AS ${schema} KEY ?`).run(file, `x'${k.key.toString("hex")}'`);
  db.pragma(`${schema}.synchronous = NORMAL`);
  db.pragma(`${schema}.cache_size = -32768`);
}

// main/core/compartments/splitCopy.ts
var MOVED_TABLES = ["signatures", "attachments", "incoming_recipients", "incoming_handovers", "incoming_corrections", "incoming"];
var BATCH = 2e3;
var MOVED_EVENTS = `main.events e WHERE e.kind <> 'delete' AND e.entity IN (${MOVED_TABLES.map((t) => `'${t}'`).join(",")})`;
function copyIntoCompartments(db, profileId, building, onProgress) {
  const documents = db.prepare("SELECT count(*) FROM main.incoming").pluck().get();
  const events = db.prepare(`SELECT count(*) FROM ${MOVED_EVENTS}`).pluck().get();
  for (const b of building) {
    prepareCompartment(b.file, b.key, profileId, true);
    attachCompartment(db, b.file, b.key);
  }
  try {
    let done = 0;
    onProgress({ step: 1, done: 0, total: documents + events });
    for (const b of building) copyLevel(db, b.level, (n) => onProgress({ step: 1, done: Math.min(done += n, documents + events), total: documents + events }));
    onProgress({ step: 1, done: documents + events, total: documents + events });
    done = 0;
    onProgress({ step: 2, done: 0, total: documents });
    for (const b of building) indexLevel(db, b.level, (n) => onProgress({ step: 2, done: Math.min(done += n, documents), total: documents }));
    onProgress({ step: 2, done: documents, total: documents });
    const hashes = {};
    for (const b of building) hashes[b.level] = db.prepare(`SELECT DISTINCT sha256 FROM ${schemaOf(b.level)}.attachments`).pluck().all();
    return hashes;
  } finally {
    for (const b of building) db.exec(`DETACH DATABASE ${schemaOf(b.level)}`);
  }
}
function dropMovedTables(db) {
  writeTx(db, () => {
    if (db.prepare("SELECT value FROM settings WHERE key = 'layout'").pluck().get() === "compartments") return;
    db.exec("DROP TABLE IF EXISTS incoming_fts; DROP TABLE IF EXISTS search_terms;");
    for (const t of MOVED_TABLES) db.exec(`DROP TABLE ${t}`);
    db.exec("DROP TABLE IF EXISTS change_counters");
    db.exec("DROP TRIGGER events_no_delete");
    db.prepare(`DELETE FROM main.events WHERE entity IN (${MOVED_TABLES.map(() => "?").join(",")}) AND kind <> 'delete'`).run(...MOVED_TABLES);
    db.exec("CREATE TRIGGER events_no_delete BEFORE DELETE ON events BEGIN SELECT RAISE(ABORT, 'events are append-only'); END;");
    db.prepare("INSERT INTO settings (key, value) VALUES ('layout', 'compartments'), ('vacuum_pending', '1') ON CONFLICT (key) DO UPDATE SET value = excluded.value").run();
  });
}
function vacuumBase(db) {
  if (db.prepare("SELECT value FROM settings WHERE key = 'vacuum_pending'").pluck().get() !== "1") return;
  db.pragma("secure_delete = ON");
  db.exec("VACUUM");
  db.prepare("DELETE FROM settings WHERE key = 'vacuum_pending'").run();
  db.pragma("wal_checkpoint(TRUNCATE)");
}
function copyLevel(db, level, copied) {
  const c = schemaOf(level);
  const rank = secrecyRank(level);
  const columns = (table) => {
    const main = new Set(db.prepare("SELECT name FROM pragma_table_info(?, ?)").pluck().all(table, "main"));
    return db.prepare("SELECT name FROM pragma_table_info(?, ?)").pluck().all(table, c).filter((n) => main.has(n)).join(", ");
  };
  const ids = db.prepare(`SELECT id FROM main.incoming WHERE secrecy = '${level}' AND id > ? ORDER BY id LIMIT ${BATCH}`).pluck();
  const records = db.prepare(`INSERT INTO ${c}.incoming (${columns("incoming")}) SELECT ${columns("incoming")} FROM main.incoming
    WHERE secrecy = '${level}' AND secrecy_rank = ${rank} AND id BETWEEN ? AND ?`);
  const parts = ["attachments", "signatures", "incoming_recipients", "incoming_handovers", "incoming_corrections"].map((t) => db.prepare(
    `INSERT INTO ${c}.${t} (${columns(t)}) SELECT ${columns(t)} FROM main.${t} WHERE incoming_id IN (SELECT id FROM main.incoming WHERE secrecy = '${level}' AND id BETWEEN ? AND ?)`
  ));
  for (let last = 0; ; ) {
    const batch = ids.all(last);
    if (batch.length === 0) break;
    const [from, to] = [batch[0], batch[batch.length - 1]];
    writeTx(db, () => {
      records.run(from, to);
      for (const p of parts) p.run(from, to);
    });
    last = to;
    copied(batch.length);
  }
  const seqs = db.prepare(`SELECT e.seq FROM ${MOVED_EVENTS} AND e.seq > ? ORDER BY e.seq LIMIT ${BATCH}`).pluck();
  const events = db.prepare(`INSERT INTO ${c}.events (id, at, origin, actor, entity, entity_id, kind, data)
    SELECT e.id, e.at, e.origin, e.actor, e.entity, e.entity_id, e.kind, e.data FROM ${MOVED_EVENTS} AND e.seq BETWEEN ? AND ? AND (
      (e.entity = 'incoming' AND e.entity_id IN (SELECT global_id FROM ${c}.incoming))
      OR (e.entity <> 'incoming' AND json_extract(e.data, '$.incoming_id') IN (SELECT id FROM ${c}.incoming)))
    ORDER BY e.seq`);
  for (let last = 0; ; ) {
    const batch = seqs.all(last);
    if (batch.length === 0) break;
    const [from, to] = [batch[0], batch[batch.length - 1]];
    const n = writeTx(db, () => events.run(from, to).changes);
    last = to;
    copied(n);
  }
}
function indexLevel(db, level, indexed) {
  const c = schemaOf(level);
  const batch = db.prepare(`SELECT id, subject, number_symbol AS numberSymbol, issuer_name AS issuerName, notes FROM ${c}.incoming WHERE id > ? ORDER BY id LIMIT ${BATCH}`);
  const insert = db.prepare(`INSERT INTO ${c}.incoming_fts (rowid, body) VALUES (?, ?)`);
  const addTerm = db.prepare(`INSERT OR IGNORE INTO ${c}.search_terms (term) VALUES (?)`);
  for (let last = 0; ; ) {
    const rows = batch.all(last);
    if (rows.length === 0) break;
    writeTx(db, () => {
      for (const r of rows) {
        const text = indexText(r);
        insert.run(r.id, text);
        for (const t of new Set(text.split(" "))) if (t) addTerm.run(t);
      }
    });
    last = rows[rows.length - 1].id;
    indexed(rows.length);
  }
}

// main/core/db/dbWorker.ts
function check(file, hexKey) {
  let db;
  try {
    db = hexKey ? openKeyed(file, hexKey, { readonly: true }).db : new Database4(file, { readonly: true, fileMustExist: true });
  } catch (err) {
    return { ok: false, damage: err.message };
  }
  try {
    const rows = db.pragma("quick_check");
    const found = rows.map((r) => r.quick_check);
    return found.length === 1 && found[0] === "ok" ? { ok: true } : { ok: false, damage: `quick_check: ${found.join("; ").slice(0, 300)}` };
  } catch (err) {
    return { ok: false, damage: `quick_check: ${err.message}` };
  } finally {
    db.close();
  }
}
function migrateFile(file, hexKey) {
  const db = hexKey ? openKeyed(file, hexKey).db : new Database4(file, { fileMustExist: true });
  try {
    db.pragma("busy_timeout = 5000");
    db.pragma("foreign_keys = ON");
    db.pragma("cache_size = -65536");
    db.pragma("journal_mode = WAL");
    const from = db.pragma("user_version", { simple: true });
    migrate(db, progress);
    return { from, to: db.pragma("user_version", { simple: true }) };
  } finally {
    db.close();
  }
}
function migrateCompartmentFile(job, hexKey) {
  const db = new Database4(job.file, { fileMustExist: true });
  try {
    applyKey(db, hexKey, "raw");
    db.pragma("busy_timeout = 5000");
    db.pragma("journal_mode = WAL");
    const from = db.pragma("user_version", { simple: true });
    if (from > 0) {
      const id = compartmentIdentity(db);
      if (id.level !== job.level || id.profile !== job.profileId) return { from, to: from, foreign: true };
    }
    migrateCompartment(db, job.level, job.profileId, progress);
    return { from, to: db.pragma("user_version", { simple: true }) };
  } finally {
    db.close();
  }
}
var port = parentPort;
var progress = (status) => port.postMessage({ type: "progress", status });
function withBase(file, hexKey, fn) {
  const { db } = openKeyed(file, hexKey);
  try {
    db.pragma("busy_timeout = 5000");
    db.pragma("foreign_keys = ON");
    db.pragma("cache_size = -65536");
    db.pragma("journal_mode = WAL");
    return fn(db);
  } finally {
    db.close();
  }
}
function splitCopy(job, hexKey) {
  const building = job.building.map((b) => {
    const key = Buffer.from(b.key);
    b.key.fill(0);
    return { level: b.level, file: b.file, key: { level: b.level, keyId: "", key } };
  });
  try {
    const hashes = withBase(job.file, hexKey, (db) => copyIntoCompartments(db, job.profileId, building, (s) => progress({ ...s, steps: 2 })));
    return { hashes };
  } finally {
    for (const b of building) b.key.key.fill(0);
  }
}
function run(job) {
  const hexKey = job.key ? Buffer.from(job.key).toString("hex") : null;
  job.key?.fill(0);
  if (job.op === "check") return check(job.file, hexKey);
  if (job.op === "migrate") return migrateFile(job.file, hexKey);
  if (job.op === "migrateCompartment") return migrateCompartmentFile(job, hexKey);
  if (job.op === "encryptCopy") {
    encryptDatabaseCopy(job.file, job.target, hexKey, (phase) => progress({ step: phase, steps: 3, done: 0, total: 0 }));
    return null;
  }
  if (job.op === "splitCopy") return splitCopy(job, hexKey);
  if (job.op === "splitCommit") return withBase(job.file, hexKey, (db) => (dropMovedTables(db), null));
  if (job.op === "vacuum") return withBase(job.file, hexKey, (db) => (vacuumBase(db), null));
  return rekeyToRaw(job.file, hexKey);
}
var t0 = performance.now();
try {
  const result = run(workerData);
  port.postMessage({ type: "done", result, ms: performance.now() - t0 });
} catch (err) {
  const e = err;
  port.postMessage({ type: "failed", error: { name: e.name ?? "Error", message: e.message ?? String(err), ...e.code ? { code: e.code } : {} } });
}
