// The vocabulary of processing incoming documents (trình, bút phê, phân công, xử lý), shared by the
// core, the window and the CLI. Pure data only.
import type { IncomingStatus } from './domain';

export const STEP_KINDS = [
  'submit', 'direct', 'assign', 'progress', 'draft', 'extension_request', 'extension_decision', 'complete', 'return',
] as const;
export type StepKind = (typeof STEP_KINDS)[number];
export const STEP_LABELS: Record<StepKind, string> = {
  submit: 'Trình lãnh đạo',
  direct: 'Ý kiến chỉ đạo',
  assign: 'Phân công xử lý',
  progress: 'Cập nhật tiến độ',
  draft: 'Đính kèm dự thảo',
  extension_request: 'Xin gia hạn',
  extension_decision: 'Quyết định gia hạn',
  complete: 'Hoàn thành',
  return: 'Trả lại',
};

/** What a task asks of its assignee: give a direction, lead, co-operate, know, or handle. */
export const TASK_ROLES = ['direct', 'lead', 'cooperate', 'inform', 'handle'] as const;
export type TaskRole = (typeof TASK_ROLES)[number];
export const TASK_ROLE_LABELS: Record<TaskRole, string> = {
  direct: 'Cho ý kiến',
  lead: 'Chủ trì',
  cooperate: 'Phối hợp',
  inform: 'Để biết',
  handle: 'Xử lý',
};
export const TASK_STATES = ['open', 'delegated', 'done', 'closed', 'returned', 'info'] as const;
export type TaskState = (typeof TASK_STATES)[number];
export const TASK_STATE_LABELS: Record<TaskState, string> = {
  open: 'Đang chờ',
  delegated: 'Đã phân công',
  done: 'Hoàn thành',
  closed: 'Đã đóng',
  returned: 'Trả lại',
  info: 'Để biết',
};

/**
 * edXML status codes (the exchange's Status packet): what the sender is told of its document. A
 * registered document is 03 (đã tiếp nhận); submission keeps 03; a direction or an assignment is 04;
 * handling is 05; completion 06; a return 02 (từ chối tiếp nhận, with the reason).
 */
export const EDXML_STATUS: Record<IncomingStatus, string> = {
  registered: '03',
  submitted: '03',
  assigned: '04',
  processing: '05',
  done: '06',
  returned: '02',
};
export const EDXML_STATUS_LABELS: Record<string, string> = {
  '01': 'Đã đến',
  '02': 'Từ chối tiếp nhận',
  '03': 'Đã tiếp nhận',
  '04': 'Phân công',
  '05': 'Đang xử lý',
  '06': 'Hoàn thành',
};

/** The inboxes: the leader's, a person's, a unit's, and what is due soon or overdue. */
export const INBOXES = ['opinion', 'handle', 'unit', 'due'] as const;
/** What a figure of the leader's dashboard lists: open work, overdue work, or directions awaited. */
export const TRACKED = ['open', 'overdue', 'opinion', 'unassigned'] as const;
export type Tracked = (typeof TRACKED)[number];
export type Inbox = (typeof INBOXES)[number];

/** The profile's processing rules (base settings, edited by an administrator). */
export interface ProcessingRules {
  /** Working days after the arrival date within which a document is submitted (1: the same or next working day). */
  submitWorkingDays: number;
  /** Urgent documents (Khẩn, Thượng khẩn, Hỏa tốc) are due for submission at once. */
  urgentAtOnce: boolean;
  /** Working days before a deadline from which a task shows as "sắp đến hạn". */
  remindBeforeDays: number;
  /** Working days past a deadline after which an overdue task is reported to the leaders too. */
  remindAfterDays: number;
}
export const DEFAULT_PROCESSING_RULES: ProcessingRules = { submitWorkingDays: 1, urgentAtOnce: true, remindBeforeDays: 2, remindAfterDays: 1 };
