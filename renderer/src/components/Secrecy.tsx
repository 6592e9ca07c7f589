// Secrecy level, shown the same way everywhere: a red badge in lists, a red stamp on documents.
import { isSecret, type Secrecy } from '../../../common/domain';
import { useLabels } from '../i18n/labels';

export const secrecyBadgeClass = (level: Secrecy): string =>
  isSecret(level) ? `badge badge-secret level-${level}` : 'badge badge-plain';

/** `label` may be passed by long lists that already hold the labels (saves a hook per row). */
export function SecrecyBadge({ level, label }: { level: Secrecy; label?: string }) {
  return label !== undefined ? <span className={secrecyBadgeClass(level)}>{label}</span> : <LabelledBadge level={level} />;
}

function LabelledBadge({ level }: { level: Secrecy }) {
  const labels = useLabels();
  return <span className={secrecyBadgeClass(level)}>{labels.secrecy(level)}</span>;
}

/** The red "MẬT" / "TỐI MẬT" / "TUYỆT MẬT" mark; nothing for unclassified documents. */
export function SecrecyMark({ level }: { level: Secrecy }) {
  const labels = useLabels();
  if (!isSecret(level)) return null;
  return (
    <span className="secrecy-mark" role="note" aria-label={labels.secrecy(level)}>
      {labels.secrecy(level).toLocaleUpperCase('vi')}
    </span>
  );
}
