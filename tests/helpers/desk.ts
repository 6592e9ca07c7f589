// Test helpers: real profiles in temporary directories, real files, the real core.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import type { IncomingRegisterInput } from '../../common/schemas';
import { incomingRegisterSchema } from '../../common/schemas';
import type { NumberingPreset, Role, Secrecy } from '../../common/domain';
import { Desk } from '../../main/core/desk';
import type { Actor } from '../../main/core/org/rights';
import { actorFor, addUser, getUser } from '../../main/core/org/users';
import { makeSamplePdf } from '../../main/devhost/samplePdf';

export function tempDir(prefix = 'securedesk-test-'): { dir: string; cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export async function newDesk(preset: NumberingPreset = 'state', dir?: string): Promise<{ desk: Desk; admin: Actor; dir: string; cleanup(): void }> {
  const t = dir ? { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) } : tempDir();
  const desk = await Desk.open({ profileDir: t.dir });
  const session = desk.setup({
    unit: { name: 'Văn phòng Tỉnh ủy Quảng Ninh', code: '000.00.01.H49', preset },
    admin: { fullName: 'Nguyễn Thị Hương', position: 'Văn thư', role: 'van_thu', clearance: 'tuyet_mat' },
  });
  return { desk, admin: actorFor(session.user), dir: t.dir, cleanup: () => { try { desk.close(); } catch { /* closed */ } t.cleanup(); } };
}

export function addActor(desk: Desk, role: Role, clearance: Secrecy, fullName = 'Người thử'): Actor {
  const id = addUser(desk.db, { fullName, position: 'Cán bộ', role, clearance });
  return actorFor(getUser(desk.db, id)!);
}

export async function stageBytes(desk: Desk, actor: Actor, bytes: Uint8Array | string, name = 'vanban.pdf') {
  return desk.stageFile(actor, Readable.from([Buffer.from(bytes)]), name);
}

let serial = 0;
export async function pdfBytes(subject: string): Promise<Uint8Array> {
  serial += 1;
  return makeSamplePdf({ issuer: 'Sở Thông tin và Truyền thông', numberSymbol: `${serial}/QĐ-UBND`, title: 'QUYẾT ĐỊNH', subject });
}

/** A valid registration input with one freshly staged PDF; override any field. */
export async function registration(desk: Desk, actor: Actor, over: Partial<IncomingRegisterInput> = {}) {
  const staged = over.stagedIds ? undefined : await stageBytes(desk, actor, await pdfBytes(over.subject ?? 'Văn bản thử'));
  return incomingRegisterSchema.parse({
    issuer: { name: 'Sở Thông tin và Truyền thông' },
    numberSymbol: `${++serial}/QĐ-UBND`,
    documentDate: '2026-11-02',
    arrivalDate: '2026-11-03',
    typeCode: 'QĐ',
    subject: 'Về việc triển khai chính quyền điện tử',
    secrecy: 'thuong',
    urgency: 'thuong',
    stagedIds: staged ? [staged.stagedId] : [],
    ...over,
  });
}
