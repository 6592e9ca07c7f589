// An office of three people for the end-to-end specs, each on a SoftHSM token of their own: the văn
// thư (set A's user token, who sets the profile up), a second person (set A's recovery token) and a
// third (set B's user token), bound as an administrator binds tokens; then the spec's own seeding
// through the core. People sign in through the lock screen; the app is reopened on the set of tokens
// the next person holds (as a workstation sees only the token plugged in).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import type { Role, Secrecy } from '../../common/domain';
import { Desk } from '../../main/core/desk';
import { writeTx } from '../../main/core/db/transaction';
import { bindCertificates } from '../../main/core/org/certificates';
import { addUser } from '../../main/core/org/users';
import { SessionGuard } from '../../main/core/session/guard';
import { TokenService } from '../../main/core/session/tokens';
import { TokenBridge } from '../../native/bridge/client';
import { moduleId } from '../../native/modules/discovery';
import { createSoftHsm, type SoftHsm } from '../fixtures/softhsm/tokens';
import { expectText, openApp, type AppSession, type Problems } from './harness';

export type Who = 'clerk' | 'second' | 'third';

export interface OfficePerson { fullName: string; position: string; role: Role; clearance: Secrecy }

export interface OfficeSpec {
  /** The temporary folder's prefix. */
  name: string;
  unit: { name: string; code: string; preset: 'party' | 'state' };
  /** The văn thư (cleared Tuyệt mật), who sets the profile up with her token. */
  clerk: string;
  second: OfficePerson;
  third: OfficePerson;
  /** What the spec needs in the profile besides the people (the văn thư's session is open). */
  seed?: (desk: Desk, ids: Record<Who, number>) => Promise<void>;
}

export interface Office {
  /** A scratch folder of the spec's own (removed with the office); the profile is inside it. */
  readonly work: string;
  readonly profileDir: string;
  readonly hsmA: SoftHsm;
  readonly hsmB: SoftHsm;
  readonly ids: Record<Who, number>;
  /** Console errors and CSP violations of every app opened so far. */
  readonly seen: Problems;
  /** The app open now (throws when none is). */
  app(): AppSession;
  /** Signs the person in with their token and PIN; `onOpen` runs when the app had to be (re)opened. */
  signIn(who: Who, onOpen?: (app: AppSession) => void): Promise<Page>;
  closeApp(): Promise<void>;
  close(): Promise<void>;
}

export async function openOffice(spec: OfficeSpec): Promise<Office> {
  const work = mkdtempSync(join(tmpdir(), `securedesk-e2e-${spec.name}-`));
  const profileDir = join(work, 'profile');
  const [hsmA, hsmB] = await Promise.all([createSoftHsm({ tokens: ['userRsa', 'recovery'] }), createSoftHsm({ tokens: ['userRsa'] })]);
  // Both test CAs have the same name and number from 1000: set B's token is made again (twice) so
  // that its certificates' serial numbers differ from set A's.
  await hsmB.reinitToken('userRsa');
  await hsmB.reinitToken('userRsa');
  const anchors = [hsmA.ca.certDer, hsmB.ca.certDer];
  const ids: Record<Who, number> = { clerk: 0, second: 0, third: 0 };

  const desk = await Desk.open({ profileDir, trustAnchors: anchors });
  const guard = new SessionGuard(desk, new TokenService(new TokenBridge({ env: hsmA.env }), async () => [hsmA.modulePath]));
  try {
    const session = await guard.setup(
      { unit: spec.unit, admin: { fullName: spec.clerk, position: 'Văn thư cơ quan', role: 'van_thu', clearance: 'tuyet_mat' } },
      { moduleId: moduleId(hsmA.modulePath), serial: hsmA.tokens.userRsa.serial },
      hsmA.tokens.userRsa.pin,
    );
    ids.clerk = session.user.id;
    writeTx(desk.db, () => {
      ids.second = addUser(desk.db, spec.second);
      ids.third = addUser(desk.db, spec.third);
      bindCertificates(desk.db, ids.second, hsmA.tokens.recovery.keys.map((k) => k.certDer), ids.clerk, new Date(), 'administrator');
      bindCertificates(desk.db, ids.third, hsmB.tokens.userRsa.keys.map((k) => k.certDer), ids.clerk, new Date(), 'administrator');
    });
    await desk.rewrapKeyring();
    await spec.seed?.(desk, ids);
  } finally {
    await guard.close();
  }

  const people: Record<Who, { name: string; radio: RegExp; pin: string; hsm: SoftHsm }> = {
    clerk: { name: spec.clerk, radio: /Nguyễn Văn An/, pin: hsmA.tokens.userRsa.pin, hsm: hsmA },
    second: { name: spec.second.fullName, radio: /SD-RECOVERY/, pin: hsmA.tokens.recovery.pin, hsm: hsmA },
    third: { name: spec.third.fullName, radio: /Nguyễn Văn An/, pin: hsmB.tokens.userRsa.pin, hsm: hsmB },
  };
  const seen: Problems = { errors: [], csp: [] };
  let app: AppSession | undefined;
  let current: SoftHsm | undefined;

  const closeApp = async (): Promise<void> => {
    if (!app) return;
    seen.errors.push(...app.problems.errors.splice(0));
    seen.csp.push(...app.problems.csp.splice(0));
    await app.close();
    app = undefined;
  };

  return {
    work, profileDir, hsmA, hsmB, ids, seen, closeApp,
    app: () => {
      if (!app) throw new Error('no app is open');
      return app;
    },
    async signIn(who, onOpen) {
      const person = people[who];
      if (app && current !== person.hsm) await closeApp();
      if (!app) {
        app = await openApp(profileDir, { hsm: person.hsm, trustAnchors: anchors });
        current = person.hsm;
        onOpen?.(app);
      }
      const p = app.page;
      const lock = p.getByRole('heading', { name: 'Máy trạm đang khóa' });
      if (!(await lock.isVisible())) await p.keyboard.press('Control+l');
      await lock.waitFor();
      await p.getByRole('radio', { name: person.radio }).check();
      await p.getByLabel('Mã PIN').fill(person.pin);
      await p.getByRole('button', { name: 'Mở khóa' }).click();
      await expectText(p.locator('.app-header'), person.name);
      return p;
    },
    async close() {
      await closeApp();
      await hsmA.cleanup();
      await hsmB.cleanup();
      rmSync(work, { recursive: true, force: true });
    },
  };
}
