// "Ảnh chữ ký": the picture a person's signature shows on the documents they sign (NĐ 30/2020 Phụ lục
// I). Opened by the person from their menu, or by an administrator for them from "Người dùng". The
// file is read here only to send it; the core sniffs and checks it (PNG or JPEG, size, dimensions)
// and decides who may see or set it.
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { SignatureImageView } from '../../../../common/contract';
import { Dialog } from '../../components/Dialog';
import { Icon, Spinner } from '../../components/Icon';
import { errorText } from '../../i18n/errors';
import { asDeskError, call } from '../../ipc/call';
import { formatDateTimeVn } from '../../lib/format';
import { toast } from '../../stores/toasts';

const toBase64 = async (file: File): Promise<string> => {
  const bytes = new Uint8Array(await file.arrayBuffer());
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
};

export function SignatureImageDialog({ userId, name, onClose }: { userId: number; name: string; onClose(): void }) {
  const { t } = useTranslation();
  const [image, setImage] = useState<SignatureImageView | null | undefined>(undefined);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    call('people.signatureImage', { userId }).then(setImage, (err: unknown) => { setImage(null); setError(errorText(asDeskError(err))); });
  }, [userId]);

  async function save(next: File | null) {
    setBusy(true);
    setError(null);
    try {
      const v = await call('people.setSignatureImage', { userId, image: next ? await toBase64(next) : null });
      setImage(v);
      toast.success(next ? t('users.signatureImage.saved', { name }) : t('users.signatureImage.removed', { name }));
    } catch (err) {
      setError(errorText(asDeskError(err)));
    } finally {
      setBusy(false);
    }
  }

  return (
    <Dialog open title={t('users.signatureImage.title', { name })} onClose={onClose} className="small-dialog signature-image-dialog"
      footer={
        <>
          <span className="footer-status">{busy && <Spinner />}</span>
          {image && <button type="button" className="button danger" disabled={busy} onClick={() => void save(null)}>{t('users.signatureImage.remove')}</button>}
          <button type="button" className="button" onClick={onClose}>{t('common.close')}</button>
        </>
      }>
      <div className="form-stack">
        <p className="muted">{t('users.signatureImage.lead')}</p>
        <div className="signature-image-preview" aria-live="polite">
          {image === undefined && <Spinner />}
          {image === null && !error && <span className="muted">{t('users.signatureImage.none')}</span>}
          {image && (
            <figure>
              <img src={`data:${image.mime};base64,${image.data}`} alt={t('users.signatureImage.alt', { name })} />
              <figcaption className="muted small">
                {t('users.signatureImage.meta', { width: image.width, height: image.height, by: image.setByName, time: formatDateTimeVn(image.setAt) })}
              </figcaption>
            </figure>
          )}
        </div>
        <div className="field">
          <label htmlFor="signature-image-file">{image ? t('users.signatureImage.replace') : t('users.signatureImage.choose')}</label>
          <input id="signature-image-file" type="file" accept="image/png,image/jpeg" disabled={busy}
            onChange={(ev) => { const f = ev.target.files?.[0]; ev.target.value = ''; if (f) void save(f); }} />
          <p className="field-hint muted small"><Icon name="info" /> {t('users.signatureImage.hint')}</p>
        </div>
        {error && <div className="form-error" role="alert">{error}</div>}
      </div>
    </Dialog>
  );
}
