// Only modules that exist, and only those the person's rights allow.
import { useTranslation } from 'react-i18next';
import { Icon, type IconName } from '../../components/Icon';
import { useApp, useIsAdmin } from '../../stores/app';
import { useNav, type View } from '../../stores/nav';
import { useSeesSecrets } from '../secrets/useSeesSecrets';
import { useSecretRegisterAccess } from '../secrets/useSecretRegisterAccess';
import { attentionCount, badgeText, useProcessingNotices } from '../processing/useProcessingNotices';
import { useSetAsideCount } from '../renumber/useSetAsideCount';

export function Sidebar() {
  const { t } = useTranslation();
  const view = useNav((s) => s.view);
  const show = useNav((s) => s.show);
  const version = useApp((s) => s.info?.version);
  const canRead = useApp((s) => !!s.session?.rights.includes('doc.read'));
  const isAdmin = useIsAdmin();
  // Văn bản điện tử đến: for whoever registers documents (the core checks the right and the levels).
  const mayRegister = useApp((s) => !!s.session?.rights.includes('doc.register'));
  // The copy register: for whoever can see any classified record (its rows are filtered by the core).
  const seesSecrets = useSeesSecrets();
  // The state-secret registers: for whom the core allows (văn thư and lãnh đạo by default); they
  // hold the copy register among them, so the separate entry is for the others.
  const secretRegisters = useSecretRegisterAccess().read;
  // Registers: configured by administrators, their years closed by the văn thư.
  // A lãnh đạo closes the outgoing registers and the Sổ theo dõi giải quyết there too.
  const keepsRegisters = useApp((s) => !!s.session?.rights.includes('doc.register') || s.session?.user.role === 'lanh_dao');
  // The legacy import: for whom registers (the core checks the same right).
  const mayImport = useApp((s) => !!s.session?.rights.includes('doc.register'));
  // Processing: the inboxes, with what needs the person now as a badge.
  const notices = useProcessingNotices(canRead);
  const attention = attentionCount(notices);
  // Số đến trùng: registrations the sync set aside, for whoever registers (the count as a badge).
  const setAside = useSetAsideCount(mayRegister);
  const registersItem = (
    <NavItem icon="book" label={t('shell.registers')} active={view.name === 'registers'} onClick={() => show({ name: 'registers' } satisfies View)} />
  );
  return (
    <nav className="sidebar" aria-label={t('shell.modules')}>
      {canRead && (
        <>
          <div className="sidebar-section">{t('shell.documents')}</div>
          <ul>
            <NavItem icon="inbox" label={t('shell.incoming')} active={view.name === 'incoming' || view.name === 'incomingDetail'}
              onClick={() => show({ name: 'incoming' })} />
            {mayRegister && (
              <NavItem icon="inbox" label={t('exchange.nav')} active={view.name === 'exchangeInbox'} onClick={() => show({ name: 'exchangeInbox' })} />
            )}
            <NavItem icon="list" label={t('processing.nav')} active={view.name === 'processing'} onClick={() => show({ name: 'processing' })}
              badge={attention > 0 ? attention : undefined} badgeLabel={t('processing.navBadge', { count: attention })} />
            <NavItem icon="book" label={t('shell.workFiles')} active={view.name === 'workFiles'} onClick={() => show({ name: 'workFiles' })} />
            <NavItem icon="file" label={t('shell.outgoing')} active={view.name === 'outgoing' || view.name === 'outgoingDetail'}
              onClick={() => show({ name: 'outgoing' })} />
            {keepsRegisters && !isAdmin && registersItem}
            {/* An exception queue: listed only while something waits in it (or while it is open). */}
            {mayRegister && (setAside > 0 || view.name === 'renumber') && (
              <NavItem icon="alert" label={t('renumber.nav')} active={view.name === 'renumber'} onClick={() => show({ name: 'renumber' })}
                badge={setAside > 0 ? setAside : undefined} badgeLabel={t('renumber.navBadge', { count: setAside })} />
            )}
            {mayImport && (
              <NavItem icon="upload" label={t('shell.import')} active={view.name === 'import'} onClick={() => show({ name: 'import' })} />
            )}
            {/* Offline packages: beside the legacy import, for whom registers (export is checked per document by the core). */}
            {mayImport && (
              <NavItem icon="usb" label={t('shell.packages')} active={view.name === 'packages'} onClick={() => show({ name: 'packages' })} />
            )}
            {/* The exchange with other agencies and the agency server: the văn thư sends and receives (administrators have it below). */}
            {mayRegister && !isAdmin && (
              <NavItem icon="refresh" label={t('shell.sync')} active={view.name === 'sync'} onClick={() => show({ name: 'sync' } satisfies View)} />
            )}
            {secretRegisters && (
              <NavItem icon="lock" label={t('shell.secretRegisters')} active={view.name === 'secretRegisters'} onClick={() => show({ name: 'secretRegisters' })} />
            )}
            {seesSecrets && (
              <NavItem icon="alert" label={t('shell.review')} active={view.name === 'review'} onClick={() => show({ name: 'review' })} />
            )}
            {seesSecrets && !secretRegisters && (
              <NavItem icon="list" label={t('shell.copyRegister')} active={view.name === 'copyRegister'} onClick={() => show({ name: 'copyRegister' })} />
            )}
          </ul>
        </>
      )}
      {isAdmin && (
        <>
          <div className="sidebar-section">{t('shell.admin')}</div>
          <ul>
            <NavItem icon="users" label={t('shell.users')} active={view.name === 'users'} onClick={() => show({ name: 'users' } satisfies View)} />
            <NavItem icon="usb" label={t('shell.tokens')} active={view.name === 'tokens'} onClick={() => show({ name: 'tokens' } satisfies View)} />
            {registersItem}
            <NavItem icon="building" label={t('shell.internalUnits')} active={view.name === 'internalUnits'}
              onClick={() => show({ name: 'internalUnits' } satisfies View)} />
            <NavItem icon="list" label={t('shell.audit')} active={view.name === 'audit'} onClick={() => show({ name: 'audit' } satisfies View)} />
            <NavItem icon="refresh" label={t('shell.sync')} active={view.name === 'sync'} onClick={() => show({ name: 'sync' } satisfies View)} />
          </ul>
        </>
      )}
      {version && <div className="sidebar-footer">{t('shell.version', { version })}</div>}
    </nav>
  );
}

function NavItem({ icon, label, active, onClick, badge, badgeLabel }: { icon: IconName; label: string; active: boolean; onClick(): void; badge?: number | undefined; badgeLabel?: string }) {
  return (
    <li>
      <button type="button" className={active ? 'nav-item is-active' : 'nav-item'} aria-current={active ? 'page' : undefined} onClick={onClick}>
        <Icon name={icon} /> {label}
        {badge !== undefined && <span className="count-badge" title={badgeLabel} aria-label={badgeLabel}>{badgeText(badge)}</span>}
      </button>
    </li>
  );
}
