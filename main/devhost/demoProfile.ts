// Seeds a demo profile with realistic Vietnamese records, through the same core services a user
// goes through (the văn thư's token unlocks it, real PDFs are staged and registered with numbering),
// so the demo is honest. Every fourth document is signed with the văn thư's token. The profile is
// left locked: the demo starts at the lock screen.
import { Readable } from 'node:stream';
import { addDaysIso, todayIso } from '../../common/dates';
import type { SessionGuard } from '../core/session/guard';
import type { TokenRef } from '../core/session/tokens';
import { addUnit } from '../core/org/units';
import { actorFor, addUser, getUser } from '../core/org/users';
import { FOCAL_UNITS, rng, sampleIncoming, testUnitCode } from './sampleData';
import { makeSamplePdf } from './samplePdf';

export interface DemoTokens {
  /** The văn thư's token (RSA, can unlock), with its PIN. */
  clerk: { ref: TokenRef; pin: string };
  /** Optionally bound to the quản trị, so the administration screens can be shown. */
  admin?: TokenRef;
}

export async function seedDemoProfile(guard: SessionGuard, tokens: DemoTokens, documents = 40): Promise<void> {
  const { desk } = guard;
  if (desk.info().profile !== 'new') return;
  const session = await guard.setup(
    {
      unit: { name: 'Văn phòng Thành ủy Hà Nội', code: '000.00.01.T01', preset: 'party' },
      admin: { fullName: 'Nguyễn Thị Hương', position: 'Văn thư cơ quan', role: 'van_thu', clearance: 'tuyet_mat' },
      internalUnits: ['Phòng Tổng hợp', 'Phòng Hành chính - Tài chính', 'Phòng Tổ chức - Cán bộ'],
    },
    tokens.clerk.ref,
    tokens.clerk.pin,
  );
  try {
    const adminId = desk.db.transaction(() => {
      addUser(desk.db, { fullName: 'Trần Văn Minh', position: 'Chánh Văn phòng', role: 'lanh_dao', clearance: 'tuyet_mat' });
      addUser(desk.db, { fullName: 'Lê Thu Trang', position: 'Chuyên viên Phòng Tổng hợp', role: 'chuyen_vien', clearance: 'mat' });
      const id = addUser(desk.db, { fullName: 'Phạm Quốc Tuấn', position: 'Quản trị hệ thống', role: 'quan_tri', clearance: 'thuong' });
      FOCAL_UNITS.forEach((name, i) => { if (name !== 'Văn phòng Thành ủy') addUnit(desk.db, name, testUnitCode(i + 1)); });
      return id;
    })();
    // The administrator's token is bound as an administrator would (the keyring is rewrapped with
    // the văn thư's token, which is the one signed in now). Its certificate is issued by the demo
    // CA, which the development host trusts (start.ts), so the binding checks pass as they would
    // for a real token.
    if (tokens.admin) await guard.bindToken(actorFor(getUser(desk.db, adminId)!), adminId, tokens.admin);

    const actor = actorFor(getUser(desk.db, session.user.id)!);
    const r = rng(2026);
    const today = todayIso(desk.now());
    const toFile: number[] = [];
    for (let i = 0; i < documents; i++) {
      const s = sampleIncoming(r, i + 1);
      const arrivalDate = addDaysIso(today, -Math.floor(((documents - i) * 60) / documents));
      const documentDate = addDaysIso(arrivalDate, -1 - Math.floor(r() * 4));
      const pdf = await makeSamplePdf({
        issuer: s.issuerName, numberSymbol: s.numberSymbol, title: 'CÔNG VĂN', subject: s.subject || '(Tuyệt mật)',
        body: ['Kính gửi: Văn phòng Thành ủy Hà Nội', `Văn bản mẫu số ${i + 1} của dữ liệu trình diễn SecureDesk.`],
      });
      const staged = await desk.attachments.stage(actor, Readable.from(Buffer.from(pdf)), `${s.numberSymbol.replace(/\//g, '_')}.pdf`);
      const registered = await desk.incoming.register(actor, {
        issuer: { name: s.issuerName }, numberSymbol: s.numberSymbol, documentDate, arrivalDate, typeCode: s.typeCode,
        subject: s.subject, secrecy: s.secrecy, urgency: s.urgency,
        ...(r() < 0.4 ? { deadline: addDaysIso(arrivalDate, 5 + Math.floor(r() * 30)) } : {}),
        recipients: r() < 0.5 ? ['Phòng Tổng hợp'] : ['Phòng Hành chính - Tài chính'], notes: '', stagedIds: [staged.stagedId],
        // The demo's history reaches back up to 60 days, possibly into last year: registered knowingly.
        acknowledgeDuplicates: true, acknowledgeOutOfOrder: true,
      });
      if (i % 4 === 3) await desk.incoming.sign(actor, registered.id, guard.signingKey(actor));
      if (s.secrecy === 'thuong' && toFile.length < 3) toFile.push(registered.id);
    }
    // Work files: this year's list with one file open (a few documents filed) and one not opened yet.
    const year = Number(today.slice(0, 4));
    const open = await desk.workFiles.create(actor, { year, notation: '01.TH', title: 'Hồ sơ triển khai chuyển đổi số của các cơ quan Đảng', retention: 10 });
    await desk.workFiles.open(actor, open.id);
    for (const id of toFile) await desk.workFiles.addItem(actor, { fileId: open.id, kind: 'incoming', recordId: id });
    await desk.workFiles.create(actor, { year, notation: '02.HC', title: 'Hồ sơ hội nghị tổng kết công tác văn phòng', retention: 'vinh_vien' });
  } finally {
    guard.lock('manual');
  }
}
