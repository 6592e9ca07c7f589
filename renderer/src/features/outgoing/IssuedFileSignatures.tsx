// The issued main PDF's signatures as the workstation checks them (outgoing.verifyIssued): each
// signature and the file's findings. Issued without the agency's signature, the number and date sit in
// an unsigned update after the signer's signature: said in words first, then the verdict (which names
// what that update holds).
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { PdfSignaturesView } from '../../../../common/contract';
import { Spinner } from '../../components/Icon';
import { errorText } from '../../i18n/errors';
import { asDeskError, call } from '../../ipc/call';
import { PdfSignatures } from '../incoming/PdfSignatures';

export function IssuedFileSignatures({ id, unsigned, issuedAt }: { id: number; unsigned: boolean; issuedAt: string | null }) {
  const { t } = useTranslation();
  const [view, setView] = useState<PdfSignaturesView | null | undefined>(undefined);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    setView(undefined);
    call('outgoing.verifyIssued', { id }).then((v) => { if (live) setView(v); }, (err: unknown) => { if (live) setError(errorText(asDeskError(err))); });
    return () => { live = false; };
  }, [id, issuedAt]);
  return (
    <section className="issued-file-signatures" aria-label={t('outgoing.detail.issuedFile')}>
      <h3 className="issued-file-heading">{t('outgoing.detail.issuedFile')}</h3>
      {unsigned && <p className="notice issued-unsigned" role="note">{t('outgoing.detail.issuedUnsigned')}</p>}
      {error && <p className="form-error" role="alert">{error}</p>}
      {view === undefined && !error && <p className="muted small"><Spinner /> {t('outgoing.detail.checking')}</p>}
      {view && <PdfSignatures view={view} />}
    </section>
  );
}
