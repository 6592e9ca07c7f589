// How a file's retention and state read in the person's language.
import type { TFunction } from 'i18next';
import type { WorkFileStatus } from '../../../../common/contract';

export const retentionLabel = (t: TFunction, years: number | null): string =>
  (years === null ? t('workFiles.permanent') : t('workFiles.yearsCount', { count: years }));

export const statusLabel = (t: TFunction, status: WorkFileStatus): string => t(`workFiles.status.${status}`);
