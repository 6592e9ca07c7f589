// The signed-in workspace: header, the modules that exist, the current view, the register dialog.
import { useEffect, useState } from 'react';
import { ReadOnlyBanner } from '../../App';
import i18n from '../../i18n';
import { useApp, useCanRegister } from '../../stores/app';
import { useIncoming } from '../../stores/incoming';
import { runFind, useNav } from '../../stores/nav';
import { emptyDraft, useRegisterDraft } from '../../stores/registerDraft';
import { toast } from '../../stores/toasts';
import { IncomingDetailView } from '../incoming/IncomingDetailView';
import { IncomingPage } from '../incoming/IncomingPage';
import { RegisterDialog } from '../incoming/RegisterDialog';
import { Header } from './Header';
import { Sidebar } from './Sidebar';

export function AppShell() {
  const view = useNav((s) => s.view);
  const canRegister = useCanRegister();
  const readOnly = useApp((s) => !!s.readOnlyReason);
  const mayRegister = useApp((s) => !!s.session?.rights.includes('doc.register'));
  const [helpOpen, setHelpOpen] = useState(false);

  // Each sign-in starts from a clean workspace.
  useEffect(() => {
    useNav.getState().backToList();
    useIncoming.getState().reset();
    useRegisterDraft.setState({ open: false, draft: emptyDraft() });
    void useIncoming.getState().loadRegisters();
  }, []);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      const ctrl = (e.ctrlKey || e.metaKey) && !e.altKey && !e.shiftKey;
      const key = e.key.toLowerCase();
      if (ctrl && (e.code === 'KeyN' || key === 'n')) {
        e.preventDefault();
        if (canRegister) useRegisterDraft.getState().openDialog();
        else if (readOnly && mayRegister) toast.info(i18n.t('shell.readOnlyNoRegister'));
      } else if (ctrl && (e.code === 'KeyF' || key === 'f')) {
        e.preventDefault();
        if (!useRegisterDraft.getState().open) runFind();
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
        </main>
      </div>
      {canRegister && <RegisterDialog />}
    </div>
  );
}
