// Only modules that exist are listed.
import { useTranslation } from 'react-i18next';
import { Icon } from '../../components/Icon';
import { useApp } from '../../stores/app';
import { useNav } from '../../stores/nav';

export function Sidebar() {
  const { t } = useTranslation();
  const view = useNav((s) => s.view);
  const backToList = useNav((s) => s.backToList);
  const version = useApp((s) => s.info?.version);
  const active = view.name === 'incoming' || view.name === 'incomingDetail';
  return (
    <nav className="sidebar" aria-label={t('shell.modules')}>
      <div className="sidebar-section">{t('shell.documents')}</div>
      <ul>
        <li>
          <button type="button" className={active ? 'nav-item is-active' : 'nav-item'} aria-current={active ? 'page' : undefined}
            onClick={backToList}>
            <Icon name="inbox" /> {t('shell.incoming')}
          </button>
        </li>
      </ul>
      {version && <div className="sidebar-footer">{t('shell.version', { version })}</div>}
    </nav>
  );
}
