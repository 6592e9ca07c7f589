// Global identifiers: every record carries a UUIDv7 beside its local rowid. Version 7 starts with the
// creation time in milliseconds, so ids sort by creation and index well; the agency server and other
// workstations know a record only by this id.
import { v7 as uuidv7, validate, version } from 'uuid';

export const newGlobalId = (): string => uuidv7();

export const isGlobalId = (s: string): boolean => validate(s) && version(s) === 7;
