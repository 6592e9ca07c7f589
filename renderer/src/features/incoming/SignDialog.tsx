// Confirming a signature: whose certificate signs (the signing certificate on the token the session
// was opened with, read from the token directory: holder, issuer, validity), a warning when that
// certificate names someone other than the person signed in, what gets signed (each file and the
// register entry) and whether the document is signed already; then the token signs while the
// dialog shows it. Refusals are said in the person's words.
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { DocumentSignature, IncomingDetail, TokenCertificateView, TokenView } from '../../../../common/contract';
import { Dialog } from '../../components/Dialog';
import { Icon, Spinner } from '../../components/Icon';
import { formatDateTimeVn } from '../../lib/format';
import { asDeskError, call, isGloballyHandled } from '../../ipc/call';
import { useApp } from '../../stores/app';
import { placeTokenError } from '../tokens/tokenErrors';
import { commonNameOf, tokenKey, validityText } from '../tokens/tokenText';
import { useTokenDirectory } from '../tokens/useTokenDirectory';
import { sameHolder } from './holderName';
import { groupSignings, signingCertificate } from './signatures';

interface Props {
  doc: IncomingDetail;
  /** The document's signatures as verified last (null while they are being read). */
  signatures?: DocumentSignature[] | null;
  onClose(): void;
  onSigned(parts: number): void;
}

type Signer =
  | { kind: 'reading' }
  | { kind: 'certificate'; token: TokenView; cert: TokenCertificateView }
  /** The session's token holds no certificate able to sign: signing would be refused. */
  | { kind: 'noSigningCert'; token: TokenView }
  /** The session's token is not in the directory (just pulled, or the directory failed). */
  | { kind: 'notSeen' }
  /** The window does not know which token opened the session (reloaded meanwhile). */
  | { kind: 'unknown' };

export function SignDialog({ doc, signatures, onClose, onSigned }: Props) {
  const { t } = useTranslation();
  const sessionToken = useApp((s) => s.sessionToken);
  const userName = useApp((s) => s.session?.user.fullName ?? '');
  const dir = useTokenDirectory();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  let signer: Signer;
  if (!sessionToken) signer = { kind: 'unknown' };
  else if (!dir.directory) signer = dir.loading ? { kind: 'reading' } : { kind: 'notSeen' };
  else {
    const token = dir.directory.tokens.find((x) => tokenKey(x) === tokenKey(sessionToken));
    const cert = token ? signingCertificate(token) : null;
    signer = !token ? { kind: 'notSeen' } : cert ? { kind: 'certificate', token, cert } : { kind: 'noSigningCert', token };
  }
  const canSubmit = !busy && signer.kind !== 'reading' && signer.kind !== 'noSigningCert';

  async function sign() {
    if (!canSubmit) return;
    setBusy(true);
    setError(null);
    try {
      const { parts } = await call('incoming.sign', { id: doc.id });
      onSigned(parts);
    } catch (err) {
      const de = asDeskError(err);
      // NO_SESSION brings the lock screen up (this dialog goes with it); INTERNAL is a toast.
      if (!isGloballyHandled(de)) setError(placeTokenError(de).text);
      setBusy(false);
    }
  }

  const close = () => {
    if (!busy) onClose();
  };

  return (
    <Dialog open title={t('signatures.dialog.title', { number: doc.arrivalNumber })} onClose={close} className="sign-dialog"
      footer={
        <>
          <span className="footer-status" role="status">
            {busy && (
              <>
                <Spinner /> {t('signatures.dialog.progress')}
              </>
            )}
          </span>
          <button type="button" className="button" onClick={close} disabled={busy}>{t('common.cancel')}</button>
          <button type="button" className="button primary" onClick={() => void sign()} disabled={!canSubmit}>
            {busy ? <Spinner /> : <Icon name="pen" />} {t('signatures.dialog.submit')}
          </button>
        </>
      }>
      <div className="sign-form">
        <SignerBlock signer={signer} userName={userName} />
        {signatures && signatures.length > 0 && <AlreadySigned signatures={signatures} />}
        <div>
          <h3 className="sign-subheading">{t('signatures.dialog.parts')}</h3>
          <ul className="sign-parts">
            {doc.attachments.map((a) => (
              <li key={a.id}><Icon name="file" /> <span>{a.name}</span></li>
            ))}
            <li><Icon name="list" /> <span>{t('signatures.metadata')}</span></li>
          </ul>
          <p className="sign-note">{t('signatures.dialog.lead')}</p>
        </div>
        {error && <div className="form-error" role="alert">{error}</div>}
      </div>
    </Dialog>
  );
}

function SignerBlock({ signer, userName }: { signer: Signer; userName: string }) {
  const { t } = useTranslation();
  switch (signer.kind) {
    case 'reading':
      return (
        <p className="sign-signer" role="status">
          <Spinner /> {t('signatures.dialog.reading')}
        </p>
      );
    case 'certificate': {
      const c = signer.cert;
      return (
        <div className="sign-signer">
          <p className="sign-holder-line">{t('signatures.dialog.holder')}</p>
          <p className="sign-holder">{c.commonName || commonNameOf(c.subject)}</p>
          <dl className="cert-grid">
            <dt>{t('tokens.issuer')}</dt>
            <dd>{commonNameOf(c.issuer)}</dd>
            <dt>{t('tokens.certSerial')}</dt>
            <dd className="mono">{c.serialNumber}</dd>
            <dt>{t('tokens.validity')}</dt>
            <dd>{validityText(c)}</dd>
            <dt>{t('signatures.dialog.token')}</dt>
            <dd>{signer.token.label || signer.token.serial}</dd>
          </dl>
          {userName && !sameHolder(c.commonName || commonNameOf(c.subject), userName) && (
            <div className="notice notice-warning sign-other-holder" role="alert">
              <Icon name="alert" />
              <span>{t('signatures.dialog.otherHolder', { holder: c.commonName || commonNameOf(c.subject), user: userName })}</span>
            </div>
          )}
          {!c.validNow && (
            <div className="notice notice-warning" role="alert">
              <Icon name="alert" /> {t('signatures.dialog.notValidNow')}
            </div>
          )}
          <p className="sign-note">{t('signatures.dialog.noPin')}</p>
        </div>
      );
    }
    case 'noSigningCert':
      return (
        <div className="form-error" role="alert">
          {t('signatures.dialog.noSigningCert', { label: signer.token.label || signer.token.serial })}
        </div>
      );
    case 'notSeen':
      return (
        <div className="notice notice-warning" role="alert">
          <Icon name="alert" /> {t('signatures.dialog.notSeen')}
        </div>
      );
    case 'unknown':
      return (
        <div className="sign-signer">
          <p className="sign-holder-line">{t('signatures.dialog.holderUnknown')}</p>
          <p className="sign-holder">{userName}</p>
          <p className="sign-note">{t('signatures.dialog.noPin')}</p>
        </div>
      );
  }
}

/** The document carries signatures already: who signed and when; signing again adds one. */
function AlreadySigned({ signatures }: { signatures: DocumentSignature[] }) {
  const { t } = useTranslation();
  const signings = groupSignings(signatures);
  return (
    <div className="notice sign-already" role="status">
      <Icon name="info" />
      <div>
        <p className="notice-title">{t('signatures.dialog.alreadySigned', { count: signings.length })}</p>
        <ul>
          {signings.map((s) => (
            <li key={s.key}>
              {t('signatures.dialog.alreadyBy', { signer: s.signer, time: formatDateTimeVn(s.signingTime) })}{' '}
              <span className={s.valid ? 'sign-already-state is-valid' : 'sign-already-state is-invalid'}>
                ({s.valid ? t('signatures.valid') : t('signatures.invalid')})
              </span>
            </li>
          ))}
        </ul>
        <p>{t('signatures.dialog.signAgain')}</p>
      </div>
    </div>
  );
}
