// Operational log: English, one JSON object per line, never secrets (PINs, keys, document text).
import { appendFileSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export interface Logger {
  log(level: LogLevel, msg: string, fields?: Record<string, unknown>): void;
}

export function fileLogger(file: string, echo = false): Logger {
  mkdirSync(dirname(file), { recursive: true });
  return {
    log(level, msg, fields = {}) {
      const line = JSON.stringify({ at: new Date().toISOString(), level, msg, ...fields });
      try {
        appendFileSync(file, `${line}\n`);
      } catch {
        /* a full disk must not take the app down with it */
      }
      if (echo || level === 'error') process.stderr.write(`${line}\n`);
    },
  };
}

export const silentLogger: Logger = { log() {} };
