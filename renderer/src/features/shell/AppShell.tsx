// The unlocked workspace: header, the modules that exist, the current view, the register dialog.
// Keys and clicks count as activity for the idle lock (told to main at most every 30 s).
import { useEffect, useState } from 'react';
import { ReadOnlyBanner } from '../../App';
import i18n from '../../i18n';
import { call } from '../../ipc/call';
import { useApp, useCanRegister, useIsAdmin } from '../../stores/app';
import { useIncoming } from '../../stores/incoming';
import { useDeepLink } from '../../stores/deepLink';
import { runFind, useNav } from '../../stores/nav';
import { emptyDraft, useRegisterDraft } from '../../stores/registerDraft';
import { toast } from '../../stores/toasts';
import { DraftOffer } from '../incoming/DraftOffer';
import { IncomingDetailView } from '../incoming/IncomingDetailView';
import { IncomingPage } from '../incoming/IncomingPage';
import { RegisterDialog } from '../incoming/RegisterDialog';
import { StructurePage } from '../structure/StructurePage';
import { ImportPage } from '../import/ImportPage';
import { PackagesPage } from '../packages/PackagesPage';
import { AuditPage } from '../audit/AuditPage';
import { SyncPage } from '../sync/SyncPage';
import { ExchangeInboxPage } from '../exchange/ExchangeInboxPage';
import { RenumberPage } from '../renumber/RenumberPage';
import { RegistersPage } from '../registers/RegistersPage';
import { CopyRegisterPage } from '../secrets/CopyRegisterPage';
import { SecretRegistersPage } from '../secrets/SecretRegistersPage';
import { ReviewPage } from '../secrets/ReviewPage';
import { ProcessingPage } from '../processing/ProcessingPage';
import { OutgoingDetailView } from '../outgoing/OutgoingDetailView';
import { OutgoingPage } from '../outgoing/OutgoingPage';
import { IdleWarning } from '../session/IdleWarning';
import { lockWorkstation } from '../session/lock';
import { TokensPage } from '../tokens/TokensPage';
import { UsersPage } from '../users/UsersPage';
import { WorkFilesPage } from '../workfiles/WorkFilesPage';
import { Header } from './Header';
import { Sidebar } from './Sidebar';

const ACTIVITY_EVERY_MS = 30_000;
const ACTIVITY_EVENTS = ['keydown', 'mousedown', 'wheel'] as const;

export function AppShell() {
  const view = useNav((s) => s.view);
  const canRegister = useCanRegister();
  const readOnly = useApp((s) => !!s.readOnlyReason);
  const mayRegister = useApp((s) => !!s.session?.rights.includes('doc.register'));
  const isAdmin = useIsAdmin();
  const isLeader = useApp((s) => s.session?.user.role === 'lanh_dao');
  const [helpOpen, setHelpOpen] = useState(false);

  // Each sign-in starts from a clean workspace.
  useEffect(() => {
    useNav.getState().backToList();
    useIncoming.getState().reset();
    useRegisterDraft.setState({ open: false, draft: emptyDraft() });
    void useIncoming.getState().loadRegisters();
  }, []);
  // After the reset above: a window opened on a document's address shows it.
  useDeepLink();

  // Activity keeps the idle lock away; main hears of it at most every ACTIVITY_EVERY_MS.
  useEffect(() => {
    let last = Date.now(); // unlocking just now was activity
    const onActivity = () => {
      const now = Date.now();
      if (now - last < ACTIVITY_EVERY_MS) return;
      last = now;
      void call('session.activity', {}).catch(() => undefined);
    };
    const opts = { capture: true, passive: true } as const;
    for (const type of ACTIVITY_EVENTS) window.addEventListener(type, onActivity, opts);
    return () => {
      for (const type of ACTIVITY_EVENTS) window.removeEventListener(type, onActivity, opts);
    };
  }, []);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const ctrl = (e.ctrlKey || e.metaKey) && !e.altKey && !e.shiftKey;
      const key = e.key.toLowerCase();
      if (ctrl && (e.code === 'KeyN' || key === 'n')) {
        e.preventDefault();
        if (canRegister) {
          setHelpOpen(false);
          useRegisterDraft.getState().openDialog();
        }
        else if (readOnly && mayRegister) toast.info(i18n.t('shell.readOnlyNoRegister'));
      } else if (ctrl && (e.code === 'KeyF' || key === 'f')) {
        e.preventDefault();
        if (!useRegisterDraft.getState().open) runFind();
      } else if (ctrl && (e.code === 'KeyL' || key === 'l')) {
        e.preventDefault();
        void lockWorkstation();
      } else if (e.key === 'F1') {
        e.preventDefault();
        setHelpOpen((o) => !o);
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [canRegister, readOnly, mayRegister]);

  return (
    <div className="shell">
      <Header helpOpen={helpOpen} setHelpOpen={setHelpOpen} />
      <div className="shell-body">
        <Sidebar />
        <main className="workspace">
          <ReadOnlyBanner />
          <IncomingPage hidden={view.name !== 'incoming'} />
          {view.name === 'incomingDetail' && <IncomingDetailView key={view.id} id={view.id} />}
          {view.name === 'users' && isAdmin && <UsersPage />}
          {view.name === 'tokens' && isAdmin && <TokensPage />}
          {view.name === 'registers' && (isAdmin || mayRegister || isLeader) && <RegistersPage />}
          {view.name === 'internalUnits' && isAdmin && <StructurePage />}
          {view.name === 'audit' && isAdmin && <AuditPage />}
          {view.name === 'copyRegister' && <CopyRegisterPage />}
          {view.name === 'secretRegisters' && <SecretRegistersPage />}
          {view.name === 'review' && <ReviewPage />}
          {view.name === 'workFiles' && <WorkFilesPage />}
          {view.name === 'processing' && <ProcessingPage />}
          {view.name === 'outgoing' && <OutgoingPage />}
          {view.name === 'outgoingDetail' && <OutgoingDetailView key={view.id} id={view.id} />}
          {view.name === 'sync' && <SyncPage />}
          {view.name === 'import' && mayRegister && <ImportPage />}
          {view.name === 'packages' && mayRegister && <PackagesPage />}
          {view.name === 'exchangeInbox' && mayRegister && <ExchangeInboxPage />}
          {view.name === 'renumber' && mayRegister && <RenumberPage />}
        </main>
      </div>
      {canRegister && <RegisterDialog />}
      {canRegister && <DraftOffer />}
      <IdleWarning />
    </div>
  );
}
