// The CLI's way to a token: the driver from --module, SECUREDESK_MODULE, or machine configuration
// (discovery); the token from --token (serial) or the only one present; the PIN from the terminal
// without echo, or from SECUREDESK_PIN for automation (unsafe: environments leak, see README).
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DeskError } from '../../common/errors';
import type { TokenRefValue } from '../../common/contract';
import { TokenBridge } from '../../native/bridge/client';
import { forkSpawner } from '../../native/bridge/spawn';
import { discoverModules } from '../../native/modules/discovery';
import { TokenService } from '../core/session/tokens';

export interface TokenArgs {
  module?: string | undefined;
  token?: string | undefined;
  machineConfig?: string | undefined;
}

/** The bridge worker next to the bundled CLI (dist/native), else the sources' default. */
function spawner() {
  const built = join(dirname(fileURLToPath(import.meta.url)), '..', 'native', 'bridge-worker.js');
  return existsSync(built) ? forkSpawner(built) : forkSpawner();
}

export function tokenService(args: TokenArgs): TokenService {
  const bridge = new TokenBridge({ spawn: spawner() });
  return new TokenService(bridge, async () => {
    const explicit = args.module ?? process.env.SECUREDESK_MODULE;
    if (explicit) return [explicit];
    const found = await discoverModules(args.machineConfig ? { configPath: args.machineConfig } : {});
    return found.modules.map((m) => m.path);
  });
}

/** The token to use: --token SERIAL, or the single token present. */
export async function chooseToken(tokens: TokenService, args: TokenArgs): Promise<TokenRefValue> {
  const dir = await tokens.directory();
  const present = dir.tokens.filter((t) => !args.token || t.serial === args.token || t.label === args.token);
  if (present.length === 1) return { moduleId: present[0]!.moduleId, serial: present[0]!.serial };
  if (present.length === 0) {
    const why = dir.modules.filter((m) => !m.ok).map((m) => `${m.path}: ${m.error ?? ''}`).join('; ');
    throw new DeskError('TOKEN_ABSENT', `Không thấy thiết bị ký số${args.token ? ` "${args.token}"` : ''}.${why ? ` ${why}` : ''}`);
  }
  throw new DeskError('VALIDATION', `Có ${present.length} thiết bị ký số; chọn một bằng --token SERIAL (${present.map((t) => `${t.label} ${t.serial}`).join(', ')}).`);
}

/** SECUREDESK_PIN, or a prompt on the terminal with echo off. Never logged, never kept. */
export async function readPin(prompt = 'Mã PIN: '): Promise<string> {
  const fromEnv = process.env.SECUREDESK_PIN;
  if (fromEnv) return fromEnv;
  const stdin = process.stdin;
  if (!stdin.isTTY) throw new DeskError('VALIDATION', 'Không có cửa sổ dòng lệnh để nhập mã PIN; đặt biến SECUREDESK_PIN (không an toàn) cho chạy tự động.');
  process.stderr.write(prompt);
  stdin.setRawMode(true);
  stdin.resume();
  let pin = '';
  try {
    return await new Promise<string>((resolve, reject) => {
      const onData = (buf: Buffer) => {
        for (const ch of buf.toString('utf8')) {
          if (ch === '\r' || ch === '\n') {
            stdin.off('data', onData);
            resolve(pin);
            return;
          }
          if (ch === '\u0003') {
            stdin.off('data', onData);
            reject(new DeskError('VALIDATION', 'Đã hủy.'));
            return;
          }
          if (ch === '\u007f' || ch === '\b') pin = pin.slice(0, -1);
          else pin += ch;
        }
      };
      stdin.on('data', onData);
    });
  } finally {
    stdin.setRawMode(false);
    stdin.pause();
    process.stderr.write('\n');
  }
}
