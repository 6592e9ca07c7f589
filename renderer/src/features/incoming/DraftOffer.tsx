// At sign-in: a registration this person left unfinished (saved in the profile before a lock) is
// offered back. "Tiếp tục soạn" puts it in the form with its staged files; "Bỏ bản nháp" discards
// it and them; Esc ("Để sau") keeps it for later.
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { SavedDraft } from '../../../../common/contract';
import { Dialog } from '../../components/Dialog';
import { formatDateTimeVn } from '../../lib/format';
import { discardSavedDraft, loadSavedDraft, restoreDraft } from '../../stores/registerDraft';
import { toast } from '../../stores/toasts';

export function DraftOffer() {
  const { t } = useTranslation();
  const [saved, setSaved] = useState<SavedDraft | null>(null);

  useEffect(() => {
    let live = true;
    loadSavedDraft().then(
      (d) => live && setSaved(d),
      () => undefined,
    );
    return () => {
      live = false;
    };
  }, []);

  if (!saved) return null;
  const d = saved.data;
  const shown = (v: string) => (v.trim() ? v : t('draftOffer.notEntered'));
  const restore = () => {
    setSaved(null);
    restoreDraft(saved);
  };
  const discard = () => {
    setSaved(null);
    void discardSavedDraft(saved).then(() => toast.info(t('draftOffer.discarded')));
  };
  return (
    <Dialog open title={t('draftOffer.title')} onClose={() => setSaved(null)} className="draft-offer"
      footer={
        <>
          <button type="button" className="button" onClick={discard}>{t('draftOffer.discard')}</button>
          <button type="button" className="button" onClick={() => setSaved(null)}>{t('draftOffer.later')}</button>
          <button type="button" className="button primary" onClick={restore} autoFocus>{t('draftOffer.restore')}</button>
        </>
      }>
      <p>{t('draftOffer.lead', { time: formatDateTimeVn(saved.savedAt) })}</p>
      <dl className="draft-summary">
        <dt>{t('draftOffer.numberSymbol')}</dt>
        <dd>{shown(d.numberSymbol)}</dd>
        <dt>{t('draftOffer.issuer')}</dt>
        <dd>{shown(d.issuerName)}</dd>
        <dt>{t('draftOffer.subject')}</dt>
        <dd className="draft-subject">{shown(d.subject)}</dd>
        <dt>{t('draftOffer.files')}</dt>
        <dd>{d.files.length > 0 ? `${t('draftOffer.filesCount', { count: d.files.length })}: ${d.files.map((f) => f.name).join(', ')}` : t('draftOffer.notEntered')}</dd>
      </dl>
    </Dialog>
  );
}
