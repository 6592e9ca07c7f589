// Signing and issuing an outgoing document on SoftHSM, end to end, through the core's services on a
// real profile: the signer signs the approved draft on their token (RSA 2048, PAdES, visible with the
// competence lines), then the văn thư issues it on hers (EC P-256): the number is read, the agency
// signs the main file (seal over the signer's signature, number and date on page 1) and the appendix
// ("số, ký hiệu; thời gian ký"), and one transaction takes the number, stores both signatures, enters
// the register and makes the dispatch records. Each round is a new document (a two-page main file and
// a one-page appendix), drafted, submitted and approved untimed; the timed part is
// signAsSigner + issue. Target: p95 ≤ 1 000 ms (issue 8, "Done when").
import { performance } from 'node:perf_hooks';
import { outgoingCreateSchema } from '../../common/schemas';
import { writeTx } from '../../main/core/db/transaction';
import { bindCertificates } from '../../main/core/org/certificates';
import { actorFor, addUser, getUser } from '../../main/core/org/users';
import { tokenKeyOps } from '../../main/core/token/tokenKeyOps';
import { makeSamplePdf } from '../../main/devhost/samplePdf';
import { TokenBridge } from '../../native/bridge/client';
import { createSoftHsm, keyOf } from '../fixtures/softhsm/tokens';
import { newDesk, stageBytes } from '../helpers/desk';
import { progress, summarize, type Summary } from './stats';

export const OUTGOING_TARGETS = { signAndIssueP95Ms: 1000 };

export interface OutgoingFigures {
  rounds: number;
  /** signAsSigner: the signer's PAdES signature on the token, stored with its step. */
  signerMs: Summary;
  /** issue: the planned number, the agency's two PAdES signatures on the token, number + register row + dispatches in one transaction. */
  issueMs: Summary;
  /** Both, end to end. */
  signAndIssueMs: Summary;
  /** Every number given, in order: no gap, no repeat. */
  numbers: { first: number; last: number; gapless: boolean };
  withinTarget: boolean;
}

export async function measureOutgoing(rounds = 20): Promise<OutgoingFigures> {
  const hsm = await createSoftHsm({ tokens: ['userRsa', 'userEc'] });
  const bridge = new TokenBridge({ env: hsm.env });
  const env = await newDesk('state');
  try {
    const { desk, admin: clerk } = env;
    const rsa = hsm.tokens.userRsa;
    const ec = hsm.tokens.userEc;
    await bridge.login(hsm.modulePath, { serial: rsa.serial }, rsa.pin);
    await bridge.login(hsm.modulePath, { serial: ec.serial }, ec.pin);
    const signerCert = keyOf(rsa, 'an-sign').certDer;
    const agencyCert = keyOf(ec, 'binh-sign').certDer;
    // The signer (a leader) holds the RSA token; the văn thư's agency key is the EC token's.
    const ids = writeTx(desk.db, () => {
      const signer = addUser(desk.db, { fullName: 'Nguyễn Văn An', position: 'Chủ tịch', role: 'lanh_dao', clearance: 'tuyet_mat' });
      const approver = addUser(desk.db, { fullName: 'Lê Thị Duyệt', position: 'Phó Chủ tịch', role: 'lanh_dao', clearance: 'tuyet_mat' });
      const drafter = addUser(desk.db, { fullName: 'Trần Văn Soạn', position: 'Chuyên viên', role: 'chuyen_vien', clearance: 'tuyet_mat' });
      bindCertificates(desk.db, signer, [signerCert], clerk.id, new Date(), 'administrator');
      bindCertificates(desk.db, clerk.id, [agencyCert], clerk.id, new Date(), 'administrator');
      return { signer, approver, drafter };
    });
    const [signer, approver, drafter] = [ids.signer, ids.approver, ids.drafter].map((id) => actorFor(getUser(desk.db, id)!)) as [ReturnType<typeof actorFor>, ReturnType<typeof actorFor>, ReturnType<typeof actorFor>];
    const signerKey = tokenKeyOps(bridge, { module: hsm.modulePath, slot: { serial: rsa.serial }, keyId: keyOf(rsa, 'an-sign').id, certificate: signerCert });
    const agencyKey = tokenKeyOps(bridge, { module: hsm.modulePath, slot: { serial: ec.serial }, keyId: keyOf(ec, 'binh-sign').id, certificate: agencyCert });
    const main = await makeSamplePdf({ issuer: 'Ủy ban nhân dân tỉnh Quảng Ninh', numberSymbol: '     /QĐ-UBND', title: 'QUYẾT ĐỊNH', subject: 'Về việc ban hành quy chế bảo vệ bí mật nhà nước', pages: 2 });
    const appendix = await makeSamplePdf({ issuer: 'Ủy ban nhân dân tỉnh Quảng Ninh', numberSymbol: '', title: 'PHỤ LỤC', subject: 'Danh mục bí mật nhà nước' });
    const s: number[] = [], iss: number[] = [], both: number[] = [];
    const numbers: number[] = [];
    // One warm-up round (fonts, first bridge calls, statement caches), not counted.
    for (let i = -1; i < rounds; i++) {
      const m = await stageBytes(desk, drafter, main, 'quyet-dinh.pdf');
      const a = await stageBytes(desk, drafter, appendix, 'phu-luc.pdf');
      const d = await desk.outgoing.create(drafter, outgoingCreateSchema.parse({
        typeCode: 'QĐ', subject: `Về việc ban hành quy chế (${i + 2})`, secrecy: 'thuong', urgency: 'thuong', signerId: signer.id, signerCompetence: 'TM. ỦY BAN NHÂN DÂN',
        approvers: [approver.id], recipients: [{ code: '000.00.00.H49', name: 'Văn phòng Chính phủ' }, { code: '000.00.12.H49', name: 'Sở Nội vụ' }],
        stagedIds: [m.stagedId, a.stagedId], comment: '',
      }));
      await desk.outgoing.submit(drafter, { id: d.id, comment: '' });
      await desk.outgoing.approve(approver, { id: d.id, comment: '' });
      const t0 = performance.now();
      await desk.outgoing.signAsSigner(signer, d.id, signerKey);
      const t1 = performance.now();
      const issued = await desk.outgoing.issue(clerk, d.id, agencyKey);
      const t2 = performance.now();
      numbers.push(issued.number);
      if (i < 0) continue;
      s.push(t1 - t0);
      iss.push(t2 - t1);
      both.push(t2 - t0);
      progress(`outgoing: round ${i + 1}/${rounds}: ${issued.numberSymbol} in ${(t2 - t0).toFixed(0)} ms (signer ${(t1 - t0).toFixed(0)}, issue ${(t2 - t1).toFixed(0)})`);
    }
    const signAndIssueMs = summarize(both);
    return {
      rounds, signerMs: summarize(s), issueMs: summarize(iss), signAndIssueMs,
      numbers: { first: numbers[0]!, last: numbers.at(-1)!, gapless: numbers.every((n, k) => n === numbers[0]! + k) },
      withinTarget: signAndIssueMs.p95 <= OUTGOING_TARGETS.signAndIssueP95Ms,
    };
  } finally {
    env.cleanup();
    await bridge.close();
    await hsm.cleanup();
  }
}
