// Labels of domain values in the current UI language (a new object only when the language changes).
import { useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import type { DeadlineFilter, IncomingStatus, Role, Secrecy, Urgency } from '../../../common/domain';

export function useLabels() {
  const { t } = useTranslation();
  return useMemo(
    () => ({
      secrecy: (s: Secrecy) => t(`domain.secrecy.${s}`),
      urgency: (u: Urgency) => t(`domain.urgency.${u}`),
      role: (r: Role) => t(`domain.role.${r}`),
      status: (s: IncomingStatus) => t(`domain.status.${s}`),
      deadline: (d: DeadlineFilter) => t(`domain.deadline.${d}`),
      docType: (code: string) => t(`domain.docType.${code}`, { defaultValue: code }),
    }),
    [t],
  );
}

export type Labels = ReturnType<typeof useLabels>;
