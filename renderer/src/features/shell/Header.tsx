// Unit, the person whose token unlocked the profile (role and clearance), shortcuts, language, and
// "Khóa" (Ctrl+L), which locks the profile: there is no sign-out without a lock.
import { useEffect, useRef, useState, type KeyboardEvent as ReactKeyboardEvent, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { Icon } from '../../components/Icon';
import { SecrecyBadge } from '../../components/Secrecy';
import { LANGUAGES, type Language } from '../../i18n';
import { useLabels } from '../../i18n/labels';
import { useApp } from '../../stores/app';
import { lockWorkstation } from '../session/lock';
import { SignatureImageDialog } from '../users/SignatureImageDialog';
import { ShortcutHelp } from './ShortcutHelp';
import { SyncIndicator } from './SyncIndicator';

interface Props {
  helpOpen: boolean;
  setHelpOpen(open: boolean): void;
}

export function Header({ helpOpen, setHelpOpen }: Props) {
  const { t } = useTranslation();
  const labels = useLabels();
  const unit = useApp((s) => s.info?.unit);
  const user = useApp((s) => s.session?.user);

  return (
    <header className="app-header">
      <div className="app-title">
        <span className="brand-mark" aria-hidden="true">SD</span>
        <span className="app-name">SecureDesk</span>
        {unit && (
          <>
            <span className="header-divider" aria-hidden="true" />
            <span className="unit-name" title={unit.code}>{unit.name}</span>
          </>
        )}
      </div>
      <div className="header-tools">
        <SyncIndicator />
        <div className="popover-anchor">
          <button type="button" className="header-button" aria-expanded={helpOpen} aria-controls="shortcut-help"
            onClick={() => setHelpOpen(!helpOpen)} title={t('shortcuts.tooltip')}>
            <Icon name="keyboard" /> <span className="header-button-text">{t('shortcuts.button')}</span>
          </button>
          {helpOpen && <ShortcutHelp onClose={() => setHelpOpen(false)} />}
        </div>
        {user && (
          <UserMenu
            label={
              <>
                <span className="user-block">
                  <span className="user-name">{user.fullName}</span>
                  <span className="user-role">{labels.role(user.role)}</span>
                </span>
                <SecrecyBadge level={user.clearance} />
              </>
            }
            clearanceText={t('header.clearance', { level: labels.secrecy(user.clearance) })}
            position={user.position}
            userId={user.id}
            fullName={user.fullName}
          />
        )}
        <button type="button" className="header-button lock-button" onClick={() => void lockWorkstation()} title={t('header.lockTooltip')}>
          <Icon name="lock" /> <span className="header-button-text">{t('header.lock')}</span>
        </button>
      </div>
    </header>
  );
}

function UserMenu({ label, clearanceText, position, userId, fullName }: { label: ReactNode; clearanceText: string; position: string; userId: number; fullName: string }) {
  const { t, i18n } = useTranslation();
  const [open, setOpen] = useState(false);
  const [imaging, setImaging] = useState(false);
  const wrap = useRef<HTMLDivElement>(null);
  const button = useRef<HTMLButtonElement>(null);
  const menu = useRef<HTMLDivElement>(null);

  useEffect(() => {
    if (!open) return;
    menu.current?.querySelector<HTMLElement>('[role^="menuitem"]')?.focus();
    const onDown = (e: MouseEvent) => {
      if (!wrap.current?.contains(e.target as Node)) setOpen(false);
    };
    document.addEventListener('mousedown', onDown);
    return () => document.removeEventListener('mousedown', onDown);
  }, [open]);

  const onMenuKey = (e: ReactKeyboardEvent) => {
    const items = [...(menu.current?.querySelectorAll<HTMLElement>('[role^="menuitem"]') ?? [])];
    const i = items.indexOf(document.activeElement as HTMLElement);
    if (e.key === 'Escape') {
      e.preventDefault();
      e.stopPropagation();
      setOpen(false);
      button.current?.focus();
    } else if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault();
      const next = (i + (e.key === 'ArrowDown' ? 1 : -1) + items.length) % items.length;
      items[next]?.focus();
    } else if (e.key === 'Tab') setOpen(false);
  };

  const choose = (lng: Language) => {
    useApp.getState().chooseLanguage(lng);
    setOpen(false);
    button.current?.focus();
  };

  return (
    <div className="popover-anchor" ref={wrap}>
      <button ref={button} type="button" className="header-button user-button" aria-haspopup="menu" aria-expanded={open}
        aria-controls="user-menu" onClick={() => setOpen(!open)} title={`${position} · ${clearanceText}`}>
        {label}
        <Icon name="chevronDown" />
      </button>
      {open && (
        <div id="user-menu" ref={menu} className="menu" role="menu" aria-label={t('header.userMenu')} onKeyDown={onMenuKey}>
          <div className="menu-info" role="presentation">
            <div>{position}</div>
            <div className="muted">{clearanceText}</div>
          </div>
          <div className="menu-group-label" role="presentation">{t('header.language')}</div>
          {LANGUAGES.map((lng) => (
            <button key={lng} type="button" role="menuitemradio" aria-checked={i18n.language === lng} className="menu-item"
              tabIndex={-1} onClick={() => choose(lng)}>
              <span className="menu-check" aria-hidden="true">{i18n.language === lng ? <Icon name="check" /> : null}</span>
              {t(`languages.${lng}`)}
            </button>
          ))}
          <div className="menu-separator" role="separator" />
          <button type="button" role="menuitem" className="menu-item" tabIndex={-1} onClick={() => { setOpen(false); setImaging(true); }}>
            <span className="menu-check" aria-hidden="true"><Icon name="pen" /></span>
            {t('header.signatureImage')}
          </button>
          <button type="button" role="menuitem" className="menu-item" tabIndex={-1} onClick={() => void lockWorkstation()}>
            <span className="menu-check" aria-hidden="true"><Icon name="lock" /></span>
            {t('header.lockMenu')}
          </button>
        </div>
      )}
      {imaging && <SignatureImageDialog userId={userId} name={fullName} onClose={() => { setImaging(false); button.current?.focus(); }} />}
    </div>
  );
}
