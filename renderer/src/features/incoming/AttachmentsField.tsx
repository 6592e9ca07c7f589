// Attachments: chosen with the file picker or dropped; each is staged at once and shows its
// state, whether it is a PDF, and any record that already holds the very same file.
import { useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Icon, Spinner } from '../../components/Icon';
import { formatSize } from '../../lib/format';
import type { DraftFile } from '../../stores/registerDraft';
import { DuplicateList } from './DuplicateList';
import { PdfSignatures } from './PdfSignatures';

interface Props {
  id: string;
  files: DraftFile[];
  error?: string | undefined;
  disabled?: boolean;
  onAdd(files: File[]): void;
  /** When given (Electron), "Chọn tệp" asks main to open its own picker instead of the page's input. */
  onPick?: (() => void) | undefined;
  onRemove(key: number): void;
  onOpenRecord(id: number): void;
}

export function AttachmentsField({ id, files, error, disabled, onAdd, onPick, onRemove, onOpenRecord }: Props) {
  const { t } = useTranslation();
  const input = useRef<HTMLInputElement>(null);
  const [over, setOver] = useState(false);

  return (
    <div className={error ? 'field attachments has-error' : 'field attachments'}>
      <span className="field-label" id={`${id}-label`}>
        {t('register.files.label')}<span className="required" aria-hidden="true"> *</span>
      </span>
      <div
        className={over ? 'dropzone is-over' : 'dropzone'}
        onDragOver={(e) => {
          e.preventDefault();
          e.dataTransfer.dropEffect = 'copy';
          setOver(true);
        }}
        onDragLeave={() => setOver(false)}
        onDrop={(e) => {
          e.preventDefault();
          setOver(false);
          if (!disabled && e.dataTransfer.files.length > 0) onAdd([...e.dataTransfer.files]);
        }}
      >
        <Icon name="upload" />
        <span>{t('register.files.drop')}</span>
        <button type="button" className="button" disabled={disabled} onClick={() => (onPick ? onPick() : input.current?.click())}
          aria-describedby={error ? `${id}-error` : `${id}-hint`}>
          {t('register.files.choose')}
        </button>
        <input ref={input} id={id} type="file" multiple className="visually-hidden" tabIndex={-1}
          aria-labelledby={`${id}-label`}
          onChange={(e) => {
            if (e.target.files) onAdd([...e.target.files]);
            e.target.value = '';
          }} />
      </div>
      <div id={`${id}-hint`} className="field-hint">{t('register.files.hint')}</div>
      {error && <div id={`${id}-error`} className="field-error">{error}</div>}
      {files.length > 0 && (
        <ul className="file-list" aria-label={t('register.files.listLabel')}>
          {files.map((f) => (
            <li key={f.key} className={`file-item state-${f.state}`}>
              <div className="file-row">
                <Icon name="file" />
                <span className="file-name" title={f.name}>{f.name}</span>
                <span className="file-size">{formatSize(f.size)}</span>
                {f.staged && (
                  <span className={f.staged.isPdf ? 'tag tag-pdf' : 'tag tag-other'}>
                    {f.staged.isPdf ? 'PDF' : t('register.files.notPdf')}
                  </span>
                )}
                <span className="file-state">
                  {f.state === 'staging' && (
                    <>
                      <Spinner /> {t('register.files.uploading')}
                    </>
                  )}
                  {f.state === 'ready' && (
                    <>
                      <Icon name="check" /> {t('register.files.ready')}
                    </>
                  )}
                </span>
                <button type="button" className="icon-button" onClick={() => onRemove(f.key)}
                  aria-label={t('register.files.remove', { name: f.name })} title={t('register.files.remove', { name: f.name })}>
                  <Icon name="close" />
                </button>
              </div>
              {f.state === 'failed' && <div className="field-error">{f.error}</div>}
              {f.staged?.pdfSignatures && <PdfSignatures view={f.staged.pdfSignatures} />}
              {f.staged && f.staged.duplicates.length > 0 && (
                <div className="notice notice-warning" role="status">
                  <Icon name="alert" /> <span>{t('register.files.duplicate')}</span>
                  <DuplicateList items={f.staged.duplicates} onOpen={onOpenRecord} />
                </div>
              )}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
