import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);

// main/core/db/dbWorker.ts
import Database2 from "better-sqlite3-multiple-ciphers";
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

// main/core/db/dbWorker.ts
function check(file, hexKey) {
  let db;
  try {
    db = hexKey ? openKeyed(file, hexKey, { readonly: true }).db : new Database2(file, { readonly: true, fileMustExist: true });
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
function run(job) {
  const hexKey = job.key ? Buffer.from(job.key).toString("hex") : null;
  job.key?.fill(0);
  if (job.op === "check") return check(job.file, hexKey);
  return rekeyToRaw(job.file, hexKey);
}
var port = parentPort;
var t0 = performance.now();
try {
  const result = run(workerData);
  port.postMessage({ type: "done", result, ms: performance.now() - t0 });
} catch (err) {
  const e = err;
  port.postMessage({ type: "failed", error: { name: e.name ?? "Error", message: e.message ?? String(err), ...e.code ? { code: e.code } : {} } });
}
