// Structured logs: one JSON object per line. Never a body, a token, a nonce or a signature: only
// what an operator needs to follow requests (method, route, status, time, person and workstation ids).
export type LogLevel = 'info' | 'warn' | 'error';
export type LogSink = (line: string) => void;

export interface Logger {
  log(level: LogLevel, msg: string, fields?: Record<string, string | number | boolean | null | undefined>): void;
}

export function jsonLogger(sink: LogSink = (l) => process.stdout.write(l)): Logger {
  return {
    log(level, msg, fields = {}) {
      sink(`${JSON.stringify({ t: new Date().toISOString(), level, msg, ...fields })}\n`);
    },
  };
}
