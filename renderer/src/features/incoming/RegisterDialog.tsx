// "Vào sổ văn bản đến" (Ctrl+N). Checked with the shared schema as it is typed, so errors appear at
// the field in the same words the core would use; the core's own answer (VALIDATION fields,
// DUPLICATE records) is shown the same way.
import { useEffect, useMemo, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { DuplicateRef } from '../../../../common/contract';
import { formatDateVn, isValidIsoDate, parseDateInput, todayIso } from '../../../../common/dates';
import {
  ARRIVAL_CHANNELS, DOCUMENT_TYPE_GROUPS, DOCUMENT_TYPES, SECRECY_LEVELS, URGENCY_LEVELS, clearedFor, isKnownDocumentType,
  type ArrivalChannel, type Secrecy, type Urgency,
} from '../../../../common/domain';
import { parseNumberSymbol } from '../../../../common/numberSymbol';
import { incomingRegisterSchema } from '../../../../common/schemas';
import { errorFields, errorText, formErrors, wordMessage } from '../../i18n/errors';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import { DateInput, dateTextToIso } from '../../components/DateInput';
import { Dialog } from '../../components/Dialog';
import { controlProps, Field } from '../../components/Field';
import { Icon, Spinner } from '../../components/Icon';
import { useLabels } from '../../i18n/labels';
import { asDeskError, call, canPickFiles, isGloballyHandled } from '../../ipc/call';
import { useDebounced } from '../../lib/useDebounced';
import { useApp } from '../../stores/app';
import { useIncoming } from '../../stores/incoming';
import { useNav } from '../../stores/nav';
import { emptyDraft, useRegisterDraft, type Draft } from '../../stores/registerDraft';
import { toast } from '../../stores/toasts';
import { AttachmentsField } from './AttachmentsField';
import { DuplicateList } from './DuplicateList';
import { IssuerCombobox } from './IssuerCombobox';
import { OutOfOrderNotice, type OrderReason } from './OutOfOrderNotice';
import { recipientInput, RecipientPicker } from './RecipientPicker';

/** The type picker's last choice: a type written by name. */
const OTHER_TYPE = '__other__';

/** Form field keys as the schema and the core name them, in the order they appear. */
const FIELD_ORDER = [
  'secrecy', 'urgency', 'registerId', 'protectionUntil', 'namedRecipient', 'issuer.name', 'numberSymbol', 'documentDate', 'typeCode', 'signer', 'subject',
  'pageCount', 'copyCount', 'arrivalDate', 'deadline', 'arrivalChannel', 'recipients', 'notes', 'stagedIds',
] as const;
type FieldKey = (typeof FIELD_ORDER)[number];
const CONTROL_IDS: Record<FieldKey, string> = {
  secrecy: 'reg-secrecy', urgency: 'reg-urgency', registerId: 'reg-register', 'issuer.name': 'reg-issuer',
  protectionUntil: 'reg-protection-until', namedRecipient: 'reg-named-recipient',
  numberSymbol: 'reg-number-symbol', documentDate: 'reg-document-date', typeCode: 'reg-type', subject: 'reg-subject',
  arrivalDate: 'reg-arrival-date', deadline: 'reg-deadline', recipients: 'reg-recipients', notes: 'reg-notes', stagedIds: 'reg-files',
  signer: 'reg-signer', pageCount: 'reg-page-count', copyCount: 'reg-copy-count', arrivalChannel: 'reg-arrival-channel',
};

/** A count as typed: a whole number, or the text itself for the schema to refuse ("… phải là số"). */
const countOf = (text: string): number | string => (/^\d+$/.test(text.trim()) ? Number(text.trim()) : text.trim());

/** "recipients.2" -> "recipients", "issuer.unitId" -> "issuer.name"; unknown keys -> null (shown above the form). */
function fieldOf(key: string): FieldKey | null {
  if (key.startsWith('recipients')) return 'recipients';
  if (key.startsWith('stagedIds')) return 'stagedIds';
  if (key.startsWith('issuer')) return 'issuer.name';
  return (FIELD_ORDER as readonly string[]).includes(key) ? (key as FieldKey) : null;
}

function normaliseErrors(raw: Record<string, string>): { fields: Partial<Record<FieldKey, string>>; other: string[] } {
  const fields: Partial<Record<FieldKey, string>> = {};
  const other: string[] = [];
  for (const [k, v] of Object.entries(raw)) {
    const f = fieldOf(k);
    if (f) fields[f] ??= v;
    else other.push(v);
  }
  return { fields, other };
}

/** What the văn thư has confirmed: a probable duplicate, an arrival out of order or in a past year. */
interface Acknowledged { duplicates: boolean; outOfOrder: boolean; awaitNumber?: boolean }
const NOTHING_ACKNOWLEDGED: Acknowledged = { duplicates: false, outOfOrder: false };

/** The law's protection periods in years (Luật Bảo vệ bí mật nhà nước, Điều 19), for the hint. */
const PROTECTION_YEARS_VI: Record<Exclude<Draft['secrecy'], 'thuong'>, number> = { tuyet_mat: 30, toi_mat: 20, mat: 10 };

/** The marks of a secret document (none for Thường): its own protection period, recall, the named person. */
function secretMarks(d: Draft) {
  if (d.secrecy === 'thuong') return {};
  const named = d.namedOnly ? d.namedRecipient.find((r) => r.kind === 'user') : undefined;
  return {
    ...(d.protectionUntil.trim() ? { protectionUntil: dateTextToIso(d.protectionUntil) } : {}),
    ...(d.recalled ? { recalled: true } : {}),
    ...(named && named.kind === 'user' ? { namedRecipient: named.id } : {}),
  };
}

/** The contract input a draft stands for (dates turned into ISO where they parse). */
function buildInput(d: Draft, ack: Acknowledged) {
  return {
    ...(d.registerId !== null ? { registerId: d.registerId } : {}),
    issuer: { name: d.issuerName, ...(d.issuerUnitId !== null ? { unitId: d.issuerUnitId } : {}) },
    numberSymbol: d.numberSymbol,
    documentDate: dateTextToIso(d.documentDate),
    ...(d.arrivalDate.trim() ? { arrivalDate: dateTextToIso(d.arrivalDate) } : {}),
    typeCode: d.typeCode,
    subject: d.secrecy === 'tuyet_mat' ? '' : d.subject,
    secrecy: d.secrecy,
    urgency: d.urgency,
    ...(d.deadline.trim() ? { deadline: dateTextToIso(d.deadline) } : {}),
    recipients: d.recipients.map(recipientInput),
    notes: d.notes,
    ...(d.signer.trim() ? { signer: d.signer } : {}),
    ...(d.pageCount.trim() ? { pageCount: countOf(d.pageCount) as number } : {}),
    ...(d.copyCount.trim() ? { copyCount: countOf(d.copyCount) as number } : {}),
    arrivalChannel: d.arrivalChannel,
    ...secretMarks(d),
    ...(d.secrecy === 'thuong' && d.restricted ? { restricted: true } : {}),
    stagedIds: d.files.filter((f) => f.state === 'ready' && f.staged).map((f) => f.staged!.stagedId),
    acknowledgeDuplicates: ack.duplicates,
    ...(ack.outOfOrder ? { acknowledgeOutOfOrder: true } : {}),
    ...(ack.awaitNumber ? { awaitNumber: true } : {}),
  };
}

/**
 * Every error of a draft, in the schema's own words. zod skips an object's cross-field rules (subject
 * required below Tuyệt mật, date order) while any field is invalid; a probe with the other fields made
 * valid brings those rules out too, so the person sees all of it at once.
 */
function draftErrors(d: Draft): Partial<Record<FieldKey, string>> {
  const input = buildInput(d, NOTHING_ACKNOWLEDGED);
  const parsed = incomingRegisterSchema.safeParse(input);
  // "Chỉ người có tên mới được bóc bì" without a person named: said at the picker (the schema cannot know).
  const named = d.secrecy !== 'thuong' && d.namedOnly && !d.namedRecipient.some((r) => r.kind === 'user') ? { namedRecipient: wordMessage({ key: 'envelope.nameRequired' }) } : {};
  if (parsed.success) return named;
  const base = normaliseErrors(formErrors(parsed.error)).fields;
  const valid = (iso: string | undefined) => iso !== undefined && isValidIsoDate(iso);
  const probe = {
    ...input,
    issuer: { name: 'x' },
    numberSymbol: '01/X',
    typeCode: 'CV',
    notes: '',
    recipients: [],
    signer: '',
    pageCount: undefined,
    copyCount: undefined,
    stagedIds: ['0'.repeat(32)],
    documentDate: valid(input.documentDate) ? input.documentDate : '1945-09-02',
    ...(valid(input.arrivalDate) ? {} : { arrivalDate: undefined }),
    ...(valid(input.deadline) ? {} : { deadline: undefined }),
  };
  const refined = incomingRegisterSchema.safeParse(probe);
  const cross = refined.success ? {} : normaliseErrors(formErrors(refined.error)).fields;
  return { ...cross, ...named, ...base };
}

/** What is probably a slip and is asked about before registering (the core accepts both). */
type Doubt = { kind: 'pastDeadline'; deadline: string } | { kind: 'noPdf'; names: string[] };

function doubtsOf(d: Draft): Doubt[] {
  const doubts: Doubt[] = [];
  const deadline = d.deadline.trim() ? dateTextToIso(d.deadline) : undefined;
  if (deadline && isValidIsoDate(deadline) && deadline < todayIso()) doubts.push({ kind: 'pastDeadline', deadline });
  // Nothing the viewer can show: every file is kept, but none can be read in the app.
  const ready = d.files.filter((f) => f.state === 'ready' && f.staged);
  if (ready.length > 0 && ready.every((f) => !f.staged!.isPdf)) doubts.push({ kind: 'noPdf', names: ready.map((f) => f.name) });
  return doubts;
}

/** Anything typed or chosen that "Xóa nội dung" would lose. */
function hasContent(d: Draft): boolean {
  const empty = emptyDraft();
  return d.files.length > 0 || d.recipients.length > 0 || d.registerId !== null || d.typeCode !== ''
    || (['secrecy', 'urgency', 'issuerName', 'numberSymbol', 'documentDate', 'arrivalDate', 'deadline', 'subject', 'notes',
      'signer', 'pageCount', 'copyCount', 'arrivalChannel'] as const)
      .some((k) => String(d[k]).trim() !== String(empty[k]).trim());
}

export function RegisterDialog() {
  const { t } = useTranslation();
  const labels = useLabels();
  const { open, draft, closeDialog, update, addFiles, removeFile, reset } = useRegisterDraft();
  const session = useApp((s) => s.session);
  const limit = useApp((s) => s.info?.attachmentLimitBytes ?? 200 * 1024 * 1024);
  const registers = useIncoming((s) => s.registers);
  const refresh = useIncoming((s) => s.refresh);
  const { openIncoming, backToList } = useNav();
  const [touched, setTouched] = useState<Set<FieldKey>>(new Set());
  const [submitted, setSubmitted] = useState(false);
  const [serverErrors, setServerErrors] = useState<Partial<Record<FieldKey, string>>>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [duplicates, setDuplicates] = useState<DuplicateRef[] | null>(null);
  const [outOfOrder, setOutOfOrder] = useState<{ message: string; reasons: OrderReason[] } | null>(null);
  /** The agency server out of reach for a shared register this workstation does not hold: "Chờ cấp số" is offered. */
  const [unreachable, setUnreachable] = useState<string | null>(null);
  const [acknowledged, setAcknowledged] = useState<Acknowledged>(NOTHING_ACKNOWLEDGED);
  const [early, setEarly] = useState<DuplicateRef[]>([]);
  const [busy, setBusy] = useState(false);
  const [typeByName, setTypeByName] = useState(false);
  /** Asking before registering (with whether duplicates were already acknowledged), or before emptying the form. */
  const [asking, setAsking] = useState<{ kind: 'register'; doubts: Doubt[]; ack: Acknowledged } | { kind: 'clear' } | null>(null);

  const clearance = session?.user.clearance ?? 'thuong';
  const candidates = useMemo(() => (registers ?? []).filter((r) => r.secrecy.includes(draft.secrecy)), [registers, draft.secrecy]);
  const chosenRegister = candidates.find((r) => r.id === draft.registerId) ?? candidates[0];

  // Client-side check on every change; shown at a field once it was visited or the form submitted.
  const clientErrors = useMemo(() => draftErrors(draft), [draft]);
  const staging = draft.files.some((f) => f.state === 'staging');
  const errorOf = (k: FieldKey): string | undefined =>
    serverErrors[k] ?? (submitted || touched.has(k) ? clientErrors[k] : undefined);
  const touch = (k: FieldKey) => setTouched((s) => (s.has(k) ? s : new Set(s).add(k)));
  const change = (k: FieldKey, patch: Partial<Draft>) => {
    update(patch);
    if (serverErrors[k]) setServerErrors(({ [k]: _gone, ...rest }) => rest);
    setDuplicates(null);
    setOutOfOrder(null);
    setUnreachable(null);
    setAcknowledged(NOTHING_ACKNOWLEDGED);
  };

  // Early duplicate warning once number-symbol, issuer and document date are all there.
  const dupKey = useDebounced(
    JSON.stringify([draft.numberSymbol.trim(), draft.issuerName.trim(), parseDateInput(draft.documentDate)]),
    400,
  );
  useEffect(() => {
    const [numberSymbol, issuerName, documentDate] = JSON.parse(dupKey) as [string, string, string | null];
    // On the symbol's key and the date; the issuer, however it is written, only tells whether it matches too.
    if (!open || !documentDate || !parseNumberSymbol(numberSymbol).ok) {
      setEarly([]);
      return;
    }
    let live = true;
    call('incoming.checkDuplicates', { numberSymbol, issuerName, documentDate, stagedIds: [] }).then(
      (refs) => live && setEarly(refs),
      () => live && setEarly([]),
    );
    return () => {
      live = false;
    };
  }, [dupKey, open]);

  // The form opens on its first field (the dialog itself would focus its close button).
  useEffect(() => {
    if (!open) {
      setAsking(null);
      return;
    }
    document.querySelector<HTMLElement>('#register-form :is(input, select, textarea):not(:disabled)')?.focus();
  }, [open]);

  // A register chosen by hand that does not take the new secrecy level falls back to automatic.
  useEffect(() => {
    if (draft.registerId !== null && !candidates.some((r) => r.id === draft.registerId)) update({ registerId: null });
  }, [candidates, draft.registerId, update]);

  const resetUi = () => {
    setTouched(new Set());
    setSubmitted(false);
    setServerErrors({});
    setFormError(null);
    setDuplicates(null);
    setOutOfOrder(null);
    setUnreachable(null);
    setAcknowledged(NOTHING_ACKNOWLEDGED);
    setEarly([]);
    setTypeByName(false);
  };

  const openRecord = (id: number) => {
    closeDialog();
    openIncoming(id);
  };

  /** `confirmed`: the doubts about this draft were answered "Vẫn vào sổ". */
  async function submit(ack: Acknowledged, confirmed = false) {
    setSubmitted(true);
    setFormError(null);
    if (staging) {
      setFormError(t('register.files.wait'));
      return;
    }
    setAcknowledged(ack);
    const parsed = incomingRegisterSchema.safeParse(buildInput(draft, ack));
    // What the schema cannot know: "Chỉ người có tên mới được bóc bì" ticked with nobody named.
    const unnamed = draft.secrecy !== 'thuong' && draft.namedOnly && !draft.namedRecipient.some((r) => r.kind === 'user');
    if (!parsed.success || unnamed) {
      const { other } = parsed.success ? { other: [] } : normaliseErrors(formErrors(parsed.error));
      setServerErrors({});
      if (other.length > 0) setFormError(other.join(' '));
      focusFirst(draftErrors(draft));
      return;
    }
    const doubts = confirmed ? [] : doubtsOf(draft);
    if (doubts.length > 0) {
      setAsking({ kind: 'register', doubts, ack });
      return;
    }
    setBusy(true);
    try {
      const res = await call('incoming.register', parsed.data);
      setUnreachable(null);
      toast.success(res.awaitingNumber ? t('register.successAwaiting', { register: res.registerName }) : t('register.success', { number: res.arrivalNumber, register: res.registerName }), {
        label: t('register.openNew'),
        run: () => openIncoming(res.id),
      });
      reset({ discardFiles: false });
      resetUi();
      closeDialog();
      backToList();
      refresh(res.id);
    } catch (err) {
      const de = asDeskError(err);
      if (de.code === 'VALIDATION' && (de.key === 'numbering.serverUnreachable' || de.key === 'numbering.homeNotReported')) {
        setUnreachable(errorText(de));
      } else if (de.code === 'VALIDATION') {
        const { fields, other } = normaliseErrors(errorFields(de));
        setServerErrors(fields);
        setFormError(other.length > 0 ? other.join(' ') : Object.keys(fields).length === 0 ? errorText(de) : null);
        focusFirst(fields);
      } else if (de.code === 'DUPLICATE') {
        setDuplicates((de.details?.duplicates as DuplicateRef[] | undefined) ?? []);
      } else if (de.code === 'OUT_OF_ORDER') {
        setOutOfOrder({ message: errorText(de), reasons: (de.details?.reasons as OrderReason[] | undefined) ?? [] });
      } else if (!isGloballyHandled(de)) {
        if (de.code === 'FORBIDDEN' && de.fields) setServerErrors(normaliseErrors(errorFields(de)).fields);
        setFormError(errorText(de));
      }
    } finally {
      setBusy(false);
    }
  }

  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    void submit(NOTHING_ACKNOWLEDGED);
  };

  const parsedSymbol = parseNumberSymbol(draft.numberSymbol);
  const symbolWarning = parsedSymbol.ok && parsedSymbol.verdict === 'warning' ? parsedSymbol : null;
  /** A number-symbol typed or corrected: its type is suggested until the person picks one. */
  const changeSymbol = (numberSymbol: string) => {
    const parsed = parseNumberSymbol(numberSymbol);
    const suggested = parsed.ok ? parsed.value.typeCode : undefined;
    change('numberSymbol', { numberSymbol, ...(!draft.typeChosen && suggested ? { typeCode: suggested } : {}) });
  };
  // A type written by name (not in the list) is edited in its own box.
  const namedType = typeByName || (draft.typeCode !== '' && !isKnownDocumentType(draft.typeCode));
  const issuerError = errorOf('issuer.name');
  const earlyRefs = early.filter((d) => d.reason === 'same_number_symbol');

  return (
    <>
    <Dialog
      open={open}
      title={t('register.title')}
      onClose={closeDialog}
      className="register-dialog"
      footer={
        <>
          <button type="button" className="button subtle" onClick={() => {
            if (hasContent(draft)) setAsking({ kind: 'clear' });
            else resetUi();
          }}>
            {t('register.clear')}
          </button>
          <span className="footer-status" aria-live="polite">
            {staging && (
              <>
                <Spinner /> {t('register.files.uploading')}
              </>
            )}
          </span>
          <button type="button" className="button" onClick={closeDialog}>{t('common.close')}</button>
          <button type="submit" form="register-form" className="button primary" disabled={busy}>
            {busy && <Spinner />} {t('register.submit')}
          </button>
        </>
      }
    >
      <form id="register-form" className="register-form" onSubmit={onSubmit} noValidate>
        {formError && <div className="form-error" role="alert">{formError}</div>}
        {duplicates && (
          <div className="notice notice-warning duplicate-panel" role="alert">
            <div className="notice-title">
              <Icon name="alert" /> {t('duplicates.title')}
            </div>
            <p>{t('duplicates.explain')}</p>
            <DuplicateList items={duplicates} onOpen={openRecord} />
            <div className="notice-actions">
              <button type="button" className="button" onClick={() => setDuplicates(null)}>{t('duplicates.review')}</button>
              <button type="button" className="button danger-outline" onClick={() => void submit({ ...acknowledged, duplicates: true }, true)} disabled={busy}>
                {t('duplicates.registerAnyway')}
              </button>
            </div>
          </div>
        )}
        {unreachable && !duplicates && !outOfOrder && (
          <div className="notice notice-warning await-number-panel" role="alert">
            <div className="notice-title"><Icon name="alert" /> {t('register.awaitTitle')}</div>
            <p>{unreachable}</p>
            <p>{t('register.awaitExplain')}</p>
            <div className="notice-actions">
              <button type="button" className="button" onClick={() => setUnreachable(null)}>{t('register.awaitLater')}</button>
              <button type="button" className="button primary" onClick={() => void submit({ ...acknowledged, awaitNumber: true }, true)} disabled={busy}>
                {t('register.awaitConfirm')}
              </button>
            </div>
          </div>
        )}
        {outOfOrder && !duplicates && (
          <OutOfOrderNotice message={outOfOrder.message} reasons={outOfOrder.reasons} busy={busy}
            onReview={() => {
              setOutOfOrder(null);
              focusFirst({ arrivalDate: 'x' });
            }}
            onConfirm={() => void submit({ ...acknowledged, outOfOrder: true }, true)} />
        )}

        <div className="form-grid classification">
          <Field id={CONTROL_IDS.secrecy} label={t('register.secrecy')} error={errorOf('secrecy')} required>
            <select className="input" {...controlProps(CONTROL_IDS.secrecy, errorOf('secrecy'))} value={draft.secrecy}
              onChange={(e) => {
                const secrecy = e.target.value as Secrecy;
                change('secrecy', { secrecy, ...(secrecy === 'tuyet_mat' ? { subject: '' } : {}) });
              }}>
              {SECRECY_LEVELS.map((s) => (
                <option key={s} value={s} disabled={!clearedFor(clearance, s)}>
                  {labels.secrecy(s)}{!clearedFor(clearance, s) ? ` ${t('register.aboveClearance')}` : ''}
                </option>
              ))}
            </select>
          </Field>
          <Field id={CONTROL_IDS.urgency} label={t('register.urgency')} error={errorOf('urgency')} required>
            <select className="input" {...controlProps(CONTROL_IDS.urgency, errorOf('urgency'))} value={draft.urgency}
              onChange={(e) => change('urgency', { urgency: e.target.value as Urgency })}>
              {URGENCY_LEVELS.map((u) => <option key={u} value={u}>{labels.urgency(u)}</option>)}
            </select>
          </Field>
          <Field id={CONTROL_IDS.registerId} label={t('register.register')} error={errorOf('registerId')}
            hint={chosenRegister ? t('register.registerHint', { register: chosenRegister.name }) : undefined}
            className="span-2">
            {candidates.length === 0 ? (
              <div className="field-static" id={CONTROL_IDS.registerId}>{registers ? t('register.noRegister') : t('app.loading')}</div>
            ) : (
              <select className="input" {...controlProps(CONTROL_IDS.registerId, errorOf('registerId'), !!chosenRegister)}
                value={draft.registerId ?? ''}
                onChange={(e) => change('registerId', { registerId: e.target.value ? Number(e.target.value) : null })}>
                {candidates.length > 1 && <option value="">{t('register.registerAuto', { register: candidates[0]!.name })}</option>}
                {candidates.map((r) => <option key={r.id} value={candidates.length === 1 ? '' : r.id}>{r.name}</option>)}
              </select>
            )}
          </Field>
          {draft.secrecy === 'thuong' && (
            <div className="restrict-row">
              <label className="checkbox" htmlFor="reg-restricted">
                <input id="reg-restricted" type="checkbox" checked={draft.restricted === true}
                  onChange={(e) => update({ restricted: e.target.checked })} />
                {t('register.restricted')}
              </label>
              <span className="field-hint">{t('register.restrictedHint')}</span>
            </div>
          )}
        </div>

        {draft.secrecy !== 'thuong' && (
          <fieldset className="form-section secret-marks">
            <legend>{t('register.secretSection')}</legend>
            <div className="form-grid two">
              <Field id={CONTROL_IDS.protectionUntil} label={t('register.protectionUntil')} error={errorOf('protectionUntil')}
                hint={t('register.protectionHint', { years: PROTECTION_YEARS_VI[draft.secrecy] })}>
                <DateInput {...controlProps(CONTROL_IDS.protectionUntil, errorOf('protectionUntil'))}
                  value={draft.protectionUntil} onValueChange={(v) => change('protectionUntil', { protectionUntil: v })}
                  onBlur={() => touch('protectionUntil')} />
              </Field>
              <div className="secret-flags" role="group" aria-label={t('register.flags')}>
                <label className="check-option">
                  <input type="checkbox" checked={draft.recalled} onChange={(e) => change('protectionUntil', { recalled: e.target.checked })} />
                  {t('register.recalled')}
                </label>
                <label className="check-option">
                  <input type="checkbox" checked={draft.namedOnly}
                    onChange={(e) => change('namedRecipient', { namedOnly: e.target.checked, ...(e.target.checked ? {} : { namedRecipient: [] }) })} />
                  {t('register.namedOnly')}
                </label>
              </div>
            </div>
            {draft.namedOnly && (
              <Field id={CONTROL_IDS.namedRecipient} label={t('register.namedRecipient')} error={errorOf('namedRecipient')} hint={t('register.namedHint')} required>
                <RecipientPicker id={CONTROL_IDS.namedRecipient} values={draft.namedRecipient} kinds={['user']} allowText={false} max={1}
                  onChange={(namedRecipient) => change('namedRecipient', { namedRecipient })}
                  describedBy={`${CONTROL_IDS.namedRecipient}-hint${errorOf('namedRecipient') ? ` ${CONTROL_IDS.namedRecipient}-error` : ''}`}
                  invalid={!!errorOf('namedRecipient')} />
              </Field>
            )}
          </fieldset>
        )}

        <div className="form-columns">
          <div className="form-column">
            <fieldset className="form-section">
              <legend>{t('register.documentSection')}</legend>
              <Field id={CONTROL_IDS['issuer.name']} label={t('register.issuer')} error={issuerError} required
                hint={
                  draft.issuerUnitId !== null
                    ? t('register.issuerKnown', { code: draft.issuerCode ?? '—' })
                    : draft.issuerName.trim() ? t('register.issuerFree') : t('register.issuerHint')
                }>
                <IssuerCombobox
                  id={CONTROL_IDS['issuer.name']}
                  value={draft.issuerName}
                  unitId={draft.issuerUnitId}
                  invalid={!!issuerError}
                  describedBy={[`${CONTROL_IDS['issuer.name']}-hint`, issuerError ? `${CONTROL_IDS['issuer.name']}-error` : ''].filter(Boolean).join(' ')}
                  onText={(text) => change('issuer.name', { issuerName: text, issuerUnitId: null, issuerCode: null })}
                  onPick={(u) => change('issuer.name', { issuerName: u.name, issuerUnitId: u.id, issuerCode: u.code })}
                  onBlur={() => touch('issuer.name')}
                />
              </Field>
              <div className="form-grid two">
                <Field id={CONTROL_IDS.numberSymbol} label={t('register.numberSymbol')} error={errorOf('numberSymbol')} required
                  hint={symbolWarning ? (
                    <span className="field-warning" role="status">
                      {t(`register.symbolWarning.${symbolWarning.code}`, { suggestion: symbolWarning.suggestion })}
                      {symbolWarning.suggestion && (
                        <>
                          {' '}
                          <button type="button" className="link-button" onClick={() => changeSymbol(symbolWarning.suggestion!)}>
                            {t('register.symbolApply', { suggestion: symbolWarning.suggestion })}
                          </button>
                        </>
                      )}
                    </span>
                  ) : parsedSymbol.ok && parsedSymbol.value.form !== 'other'
                    ? t(parsedSymbol.value.form === 'party' ? 'register.symbolParty' : 'register.symbolState')
                    : t('register.symbolHint')}>
                  <input className="input" {...controlProps(CONTROL_IDS.numberSymbol, errorOf('numberSymbol'), true, true)}
                    value={draft.numberSymbol} autoComplete="off" spellCheck={false}
                    onChange={(e) => changeSymbol(e.target.value)}
                    onBlur={() => touch('numberSymbol')} />
                </Field>
                <Field id={CONTROL_IDS.documentDate} label={t('register.documentDate')} error={errorOf('documentDate')} required>
                  <DateInput {...controlProps(CONTROL_IDS.documentDate, errorOf('documentDate'), false, true)}
                    value={draft.documentDate} onValueChange={(v) => change('documentDate', { documentDate: v })}
                    onBlur={() => touch('documentDate')} />
                </Field>
              </div>
              <div className="form-grid two">
                <Field id={CONTROL_IDS.typeCode} label={t('register.type')} error={errorOf('typeCode')} required
                  hint={namedType ? t('register.typeNameHint') : undefined}>
                  <select className="input" {...controlProps(CONTROL_IDS.typeCode, errorOf('typeCode'), namedType, true)}
                    value={namedType ? OTHER_TYPE : draft.typeCode}
                    onChange={(e) => {
                      const other = e.target.value === OTHER_TYPE;
                      setTypeByName(other);
                      change('typeCode', { typeCode: other ? '' : e.target.value, typeChosen: true });
                    }}
                    onBlur={() => touch('typeCode')}>
                    <option value="">{t('common.choose')}</option>
                    {DOCUMENT_TYPE_GROUPS.map((g) => (
                      <optgroup key={g} label={t(`register.typeGroup.${g}`)}>
                        {DOCUMENT_TYPES.filter((x) => x.group === g).map((x) => <option key={x.code} value={x.code}>{labels.docType(x.code)}</option>)}
                      </optgroup>
                    ))}
                    <option value={OTHER_TYPE}>{t('register.typeOther')}</option>
                  </select>
                  {namedType && (
                    <input className="input" id={`${CONTROL_IDS.typeCode}-name`} aria-label={t('register.typeName')}
                      aria-describedby={`${CONTROL_IDS.typeCode}-hint`} value={draft.typeCode} maxLength={60} autoComplete="off"
                      onChange={(e) => change('typeCode', { typeCode: e.target.value, typeChosen: true })}
                      onBlur={() => touch('typeCode')} />
                  )}
                </Field>
                <Field id={CONTROL_IDS.signer} label={t('entry.signer')} error={errorOf('signer')}>
                  <input className="input" {...controlProps(CONTROL_IDS.signer, errorOf('signer'))} value={draft.signer} autoComplete="off"
                    maxLength={120} onChange={(e) => change('signer', { signer: e.target.value })} onBlur={() => touch('signer')} />
                </Field>
              </div>
              {earlyRefs.length > 0 && !duplicates && (
                <div className="notice notice-warning" role="status">
                  <div className="notice-title"><Icon name="alert" /> {t('duplicates.early')}</div>
                  <DuplicateList items={earlyRefs} onOpen={openRecord} />
                </div>
              )}
              <Field id={CONTROL_IDS.subject} label={t('register.subject')} error={errorOf('subject')} required={draft.secrecy !== 'tuyet_mat'}
                hint={draft.secrecy === 'tuyet_mat' ? t('register.subjectTopSecret') : undefined}>
                <textarea className="input" rows={5}
                  {...controlProps(CONTROL_IDS.subject, errorOf('subject'), draft.secrecy === 'tuyet_mat', draft.secrecy !== 'tuyet_mat')}
                  value={draft.secrecy === 'tuyet_mat' ? '' : draft.subject} disabled={draft.secrecy === 'tuyet_mat'}
                  placeholder={draft.secrecy === 'tuyet_mat' ? t('register.subjectTopSecretPlaceholder') : undefined}
                  maxLength={500} onChange={(e) => change('subject', { subject: e.target.value })} onBlur={() => touch('subject')} />
              </Field>
              <div className="form-grid two">
                <Field id={CONTROL_IDS.pageCount} label={t('entry.pageCount')} error={errorOf('pageCount')}>
                  <input className="input" inputMode="numeric" {...controlProps(CONTROL_IDS.pageCount, errorOf('pageCount'))} value={draft.pageCount}
                    autoComplete="off" maxLength={6} onChange={(e) => change('pageCount', { pageCount: e.target.value })} onBlur={() => touch('pageCount')} />
                </Field>
                <Field id={CONTROL_IDS.copyCount} label={t('entry.copyCount')} error={errorOf('copyCount')}>
                  <input className="input" inputMode="numeric" {...controlProps(CONTROL_IDS.copyCount, errorOf('copyCount'))} value={draft.copyCount}
                    autoComplete="off" maxLength={5} onChange={(e) => change('copyCount', { copyCount: e.target.value })} onBlur={() => touch('copyCount')} />
                </Field>
              </div>
            </fieldset>
          </div>
          <div className="form-column">
            <fieldset className="form-section">
              <legend>{t('register.registrationSection')}</legend>
              <div className="form-grid two">
                <Field id={CONTROL_IDS.arrivalDate} label={t('register.arrivalDate')} error={errorOf('arrivalDate')} required>
                  <DateInput {...controlProps(CONTROL_IDS.arrivalDate, errorOf('arrivalDate'), false, true)}
                    value={draft.arrivalDate} onValueChange={(v) => change('arrivalDate', { arrivalDate: v })}
                    onBlur={() => touch('arrivalDate')} />
                </Field>
                <Field id={CONTROL_IDS.deadline} label={t('register.deadline')} error={errorOf('deadline')}>
                  <DateInput {...controlProps(CONTROL_IDS.deadline, errorOf('deadline'))}
                    value={draft.deadline} onValueChange={(v) => change('deadline', { deadline: v })}
                    onBlur={() => touch('deadline')} />
                </Field>
              </div>
              <Field id={CONTROL_IDS.arrivalChannel} label={t('entry.arrivalChannel')} error={errorOf('arrivalChannel')}>
                <select className="input" {...controlProps(CONTROL_IDS.arrivalChannel, errorOf('arrivalChannel'))} value={draft.arrivalChannel}
                  onChange={(e) => change('arrivalChannel', { arrivalChannel: e.target.value as ArrivalChannel })}>
                  {ARRIVAL_CHANNELS.map((c) => <option key={c} value={c}>{t(`entry.channels.${c}`)}</option>)}
                </select>
              </Field>
              <Field id={CONTROL_IDS.recipients} label={t('register.recipients')} error={errorOf('recipients')} hint={t('entry.recipientsHint')}>
                <RecipientPicker id={CONTROL_IDS.recipients} values={draft.recipients}
                  onChange={(recipients) => change('recipients', { recipients })}
                  placeholder={t('register.recipientsPlaceholder')}
                  describedBy={`${CONTROL_IDS.recipients}-hint${errorOf('recipients') ? ` ${CONTROL_IDS.recipients}-error` : ''}`}
                  invalid={!!errorOf('recipients')} />
              </Field>
              <Field id={CONTROL_IDS.notes} label={t('register.notes')} error={errorOf('notes')}>
                <textarea className="input" rows={2} {...controlProps(CONTROL_IDS.notes, errorOf('notes'))} value={draft.notes}
                  maxLength={2000} onChange={(e) => change('notes', { notes: e.target.value })} />
              </Field>
            </fieldset>
            <AttachmentsField
              id={CONTROL_IDS.stagedIds}
              files={draft.files}
              error={errorOf('stagedIds')}
              onAdd={(files) => {
                addFiles(files, limit);
                if (serverErrors.stagedIds) setServerErrors(({ stagedIds: _gone, ...rest }) => rest);
              }}
              onPick={canPickFiles() ? () => {
                useRegisterDraft.getState().pickFiles();
                if (serverErrors.stagedIds) setServerErrors(({ stagedIds: _gone, ...rest }) => rest);
              } : undefined}
              onRemove={removeFile}
              onOpenRecord={openRecord}
            />
          </div>
        </div>
      </form>
    </Dialog>
    <ConfirmDialog
      open={open && asking !== null}
      title={asking?.kind === 'clear' ? t('register.confirmClear.title') : t('register.confirm.title')}
      confirmLabel={asking?.kind === 'clear' ? t('register.clear') : t('register.confirm.submit')}
      cancelLabel={asking?.kind === 'clear' ? t('common.cancel') : t('register.confirm.review')}
      danger={asking?.kind === 'clear'}
      onCancel={() => setAsking(null)}
      onConfirm={() => {
        const was = asking;
        setAsking(null);
        if (was?.kind === 'clear') {
          reset({ discardFiles: true });
          resetUi();
          document.getElementById(CONTROL_IDS.secrecy)?.focus();
        } else if (was?.kind === 'register') void submit(was.ack, true);
      }}>
      {asking?.kind === 'clear' && (
        <p>{draft.files.length > 0 ? t('register.confirmClear.bodyFiles', { count: draft.files.length }) : t('register.confirmClear.body')}</p>
      )}
      {asking?.kind === 'register' && (
        <>
          <ul>
            {asking.doubts.map((d) => (
              <li key={d.kind}>
                {d.kind === 'pastDeadline'
                  ? t('register.confirm.pastDeadline', { deadline: formatDateVn(d.deadline), today: formatDateVn(todayIso()) })
                  : d.names.length === 1
                    ? t('register.confirm.noPdfOne', { name: d.names[0] })
                    : t('register.confirm.noPdfMany', { count: d.names.length })}
              </li>
            ))}
          </ul>
          <p>{t('register.confirm.ask')}</p>
        </>
      )}
    </ConfirmDialog>
    </>
  );
}

function focusFirst(fields: Partial<Record<FieldKey, string>>): void {
  const first = FIELD_ORDER.find((k) => fields[k]);
  if (!first) return;
  requestAnimationFrame(() => {
    const el = document.getElementById(CONTROL_IDS[first]);
    if (el && !(el as HTMLInputElement).disabled && el.tabIndex >= 0) el.focus();
    else if (first === 'stagedIds') document.querySelector<HTMLElement>('.dropzone button')?.focus();
  });
}
