// Operational log: English, one JSON object per line, never secrets (PINs, keys, document text).
import { appendFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { makePrivateDir, makePrivateFile, PRIVATE_FILE_MODE } from './privateFiles';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export interface Logger {
  log(level: LogLevel, msg: string, fields?: Record<string, unknown>): void;
}

export function fileLogger(file: string, echo = false): Logger {
  // Logs name documents' ids and people: 0700 folder, 0600 file (also one an older version left 0644).
  makePrivateDir(dirname(file));
  makePrivateFile(file);
  return {
    log(level, msg, fields = {}) {
      const line = JSON.stringify({ at: new Date().toISOString(), level, msg, ...fields });
      try {
        appendFileSync(file, `${line}\n`, { mode: PRIVATE_FILE_MODE });
      } catch {
        /* a full disk must not take the app down with it */
      }
      if (echo || level === 'error') process.stderr.write(`${line}\n`);
    },
  };
}

export const silentLogger: Logger = { log() {} };
