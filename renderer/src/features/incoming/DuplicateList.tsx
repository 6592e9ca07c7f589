// Records that may already hold this document, each a link to the record.
import { useTranslation } from 'react-i18next';
import type { DuplicateRef } from '../../../../common/contract';
import { formatDateVn } from '../../lib/format';

export function DuplicateList({ items, onOpen }: { items: DuplicateRef[]; onOpen(id: number): void }) {
  const { t } = useTranslation();
  return (
    <ul className="dup-list">
      {items.map((d) => (
        <li key={`${d.id}-${d.reason}`}>
          <button type="button" className="link-button" onClick={() => onOpen(d.id)}>
            {t('duplicates.ref', { number: d.arrivalNumber, register: d.registerName })}
          </button>
          <span className="dup-meta">
            {' '}· {d.numberSymbol} · {d.issuerName} · {t('duplicates.dated', { date: formatDateVn(d.documentDate) })}
            {' '}· {t(`duplicates.reason.${d.reason}`)}
            {d.sameIssuer === false && <> · <span className="dup-other-issuer">{t('duplicates.otherIssuer')}</span></>}
          </span>
        </li>
      ))}
    </ul>
  );
}
