// An arrival number as the register shows it: "Chờ cấp số" for a record registered while the agency
// server could not be reached, whose number comes at the next contact (its placeholder is negative;
// main/core/documents/numberWaits.ts).
import type { TFunction } from 'i18next';

export const isAwaitingNumber = (n: number): boolean => n < 1;

export const arrivalNumberText = (n: number, t: TFunction): string => (isAwaitingNumber(n) ? t('incoming.awaitingNumber') : String(n));
