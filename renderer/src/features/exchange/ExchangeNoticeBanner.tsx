// On a registered incoming document that came over the exchange: what its sender did to it since
// (recalled, updated, replaced), shown plainly at the top of the document.
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { ExchangeNotice } from '../../../../common/contract';
import { Icon } from '../../components/Icon';
import { call } from '../../ipc/call';
import './exchange.css';

export function ExchangeNoticeBanner({ incomingId }: { incomingId: number }) {
  const { t } = useTranslation();
  const [notice, setNotice] = useState<ExchangeNotice | null>(null);
  useEffect(() => {
    // Not every document came by the exchange: no notice is the usual answer, and an error shows nothing.
    call('exchange.notice', { id: incomingId }).then(setNotice, () => setNotice(null));
  }, [incomingId]);
  if (!notice?.notice) return null;
  return (
    <div className="exchange-notice" role="status" aria-label={t('exchange.noticeTitle')}>
      <Icon name="alert" /> <strong>{notice.state === 'recalled' ? t('exchange.state.recalled') : t('exchange.noticeTitle')}:</strong> {notice.notice}
    </div>
  );
}
