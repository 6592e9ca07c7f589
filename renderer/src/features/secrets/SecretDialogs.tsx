// The dialogs of the "Bảo mật" section: a grant by name, a revocation, a hold, a level change and a
// destruction. Each sends what was typed; the core checks who may do it and says why not.
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { IncomingDetail, LevelChangeKind } from '../../../../common/contract';
import { formatDateVn, todayIso } from '../../../../common/dates';
import { SECRECY_LEVELS, secrecyRank, type Secrecy } from '../../../../common/domain';
import { DateInput, dateTextToIso } from '../../components/DateInput';
import { FormDialog, FormError, useSubmit, type Errors } from '../../components/FormDialog';
import { controlProps, Field } from '../../components/Field';
import { useLabels } from '../../i18n/labels';
import type { DraftRecipient } from '../../stores/registerDraft';
import { RecipientPicker } from '../incoming/RecipientPicker';


export function GrantDialog({ doc, onClose, onSave }: { doc: IncomingDetail; onClose(): void; onSave(userId: number, reason: string): Promise<unknown> }) {
  const { t } = useTranslation();
  const [person, setPerson] = useState<DraftRecipient[]>([]);
  const [reason, setReason] = useState('');
  const { errors, busy, run } = useSubmit();
  const submit = () => {
    const who = person[0]?.kind === 'user' ? person[0] : null;
    const found: Errors = {};
    if (!who) found.userId = t('secrets.choosePerson');
    if (!reason.trim()) found.reason = t('secrets.reasonRequired');
    void run(found, () => onSave(who!.id, reason));
  };
  return (
    <FormDialog id="grant-form" title={t('secrets.grants.dialogTitle', { number: doc.arrivalNumber })} submit={t('secrets.grants.submit')} busy={busy}
      onClose={onClose} onSubmit={submit}>
      <p className="section-lead">{t('secrets.grants.lead')}</p>
      <Field id="grant-person" label={t('secrets.person')} error={errors.userId} required>
        <RecipientPicker id="grant-person" values={person} onChange={setPerson} kinds={['user']} allowText={false} max={1}
          placeholder={t('secrets.personPlaceholder')} invalid={!!errors.userId} />
      </Field>
      <Field id="grant-reason" label={t('secrets.reason')} error={errors.reason} required>
        <input className="input" {...controlProps('grant-reason', errors.reason, false, true)} value={reason} maxLength={500} onChange={(e) => setReason(e.target.value)} />
      </Field>
      <FormError text={errors._} />
    </FormDialog>
  );
}

/** A reason, and nothing else: revoking a grant, placing a hold. */
export function ReasonDialog({ id, title, lead, submit, danger, onClose, onSave }: {
  id: string; title: string; lead: string; submit: string; danger?: boolean; onClose(): void; onSave(reason: string): Promise<unknown>;
}) {
  const { t } = useTranslation();
  const [reason, setReason] = useState('');
  const { errors, busy, run } = useSubmit();
  return (
    <FormDialog id={id} title={title} submit={submit} busy={busy} danger={danger} onClose={onClose}
      onSubmit={() => void run(reason.trim() ? {} : { reason: t('secrets.reasonRequired') }, () => onSave(reason))}>
      <p className="section-lead">{lead}</p>
      <Field id={`${id}-reason`} label={t('secrets.reason')} error={errors.reason} required>
        <input className="input" {...controlProps(`${id}-reason`, errors.reason, false, true)} value={reason} maxLength={500} onChange={(e) => setReason(e.target.value)} />
      </Field>
      <FormError text={errors._} />
    </FormDialog>
  );
}

export const LEVEL_KINDS: readonly Exclude<LevelChangeKind, 'extend'>[] = ['raise', 'lower', 'declassify', 'declassify_part'];

export interface LevelChangeForm {
  kind: Exclude<LevelChangeKind, 'extend'>; toLevel?: Secrecy; authority: string; reason: string; part?: string; decidedOn: string;
}

/** "Thay đổi độ mật": the leader's decision, confirmed later by a second authorised person. */
export function LevelChangeDialog({ doc, clearance, onClose, onSave }: {
  doc: IncomingDetail; clearance: Secrecy; onClose(): void; onSave(form: LevelChangeForm): Promise<unknown>;
}) {
  const { t } = useTranslation();
  const labels = useLabels();
  const [kind, setKind] = useState<Exclude<LevelChangeKind, 'extend'>>('lower');
  const levelsFor = (k: LevelChangeKind) => SECRECY_LEVELS.filter((s) => s !== 'thuong' && secrecyRank(s) <= secrecyRank(clearance)
    && (k === 'lower' ? secrecyRank(s) < secrecyRank(doc.secrecy) : secrecyRank(s) > secrecyRank(doc.secrecy)));
  const [toLevel, setToLevel] = useState<Secrecy | ''>(() => levelsFor('lower').at(-1) ?? '');
  const [authority, setAuthority] = useState('');
  const [reason, setReason] = useState('');
  const [part, setPart] = useState('');
  const [date, setDate] = useState(formatDateVn(todayIso()));
  const { errors, busy, run } = useSubmit();
  const withLevel = kind === 'raise' || kind === 'lower';
  const choices = withLevel ? levelsFor(kind) : [];

  const changeKind = (k: Exclude<LevelChangeKind, 'extend'>) => {
    setKind(k);
    const next = k === 'raise' || k === 'lower' ? levelsFor(k) : [];
    setToLevel(k === 'lower' ? next.at(-1) ?? '' : next[0] ?? '');
  };

  const submit = () => {
    const found: Errors = {};
    if (withLevel && !toLevel) found.toLevel = t('secrets.level.toRequired');
    if (!authority.trim()) found.authority = t('secrets.level.authorityRequired');
    if (!reason.trim()) found.reason = t('secrets.reasonRequired');
    if (kind === 'declassify_part' && !part.trim()) found.part = t('secrets.level.partRequired');
    void run(found, () => onSave({
      kind, authority, reason, decidedOn: dateTextToIso(date),
      ...(withLevel && toLevel ? { toLevel } : {}), ...(kind === 'declassify_part' ? { part } : {}),
    }));
  };

  return (
    <FormDialog id="level-form" title={t('secrets.level.dialogTitle', { number: doc.arrivalNumber })} submit={t('secrets.level.submit')} busy={busy}
      onClose={onClose} onSubmit={submit} className="level-dialog">
      <p className="section-lead">{t('secrets.level.lead', { level: labels.secrecy(doc.secrecy) })}</p>
      <div className="form-grid two">
        <Field id="level-kind" label={t('secrets.level.kind')} error={errors.kind} required>
          <select className="input" {...controlProps('level-kind', errors.kind, false, true)} value={kind} onChange={(e) => changeKind(e.target.value as Exclude<LevelChangeKind, 'extend'>)}>
            {LEVEL_KINDS.map((k) => <option key={k} value={k}>{t(`secrets.levelKind.${k}`)}</option>)}
          </select>
        </Field>
        <Field id="level-to" label={t('secrets.level.toLevel')} error={errors.toLevel} required={withLevel}>
          <select className="input" {...controlProps('level-to', errors.toLevel, false, withLevel)} value={withLevel ? toLevel : ''} disabled={!withLevel}
            onChange={(e) => setToLevel(e.target.value as Secrecy)}>
            {!withLevel && <option value="">{kind === 'declassify' ? t('secrets.level.declassified') : labels.secrecy(doc.secrecy)}</option>}
            {withLevel && choices.length === 0 && <option value="">{t('secrets.level.noChoice')}</option>}
            {choices.map((s) => <option key={s} value={s}>{labels.secrecy(s)}</option>)}
          </select>
        </Field>
      </div>
      {kind === 'declassify_part' && (
        <Field id="level-part" label={t('secrets.level.part')} error={errors.part} required>
          <textarea className="input" rows={2} {...controlProps('level-part', errors.part, false, true)} value={part} maxLength={2000} onChange={(e) => setPart(e.target.value)} />
        </Field>
      )}
      <Field id="level-authority" label={t('secrets.level.authority')} error={errors.authority} required hint={t('secrets.level.authorityHint')}>
        <input className="input" {...controlProps('level-authority', errors.authority, true, true)} value={authority} maxLength={500} onChange={(e) => setAuthority(e.target.value)} />
      </Field>
      <Field id="level-reason" label={t('secrets.reason')} error={errors.reason} required>
        <input className="input" {...controlProps('level-reason', errors.reason, false, true)} value={reason} maxLength={500} onChange={(e) => setReason(e.target.value)} />
      </Field>
      <Field id="level-date" label={t('secrets.level.decidedOn')} error={errors.decidedOn} required>
        <DateInput {...controlProps('level-date', errors.decidedOn, false, true)} value={date} onValueChange={setDate} />
      </Field>
      <FormError text={errors._} />
    </FormDialog>
  );
}

export interface DestroyForm { decision: string; authority: string; reason: string; decidedOn: string }

/** "Tiêu hủy": the decision (biên bản), its authority, the reason and date; confirmed by typing the arrival number. */
export function DestroyDialog({ doc, onClose, onSave }: { doc: IncomingDetail; onClose(): void; onSave(form: DestroyForm): Promise<unknown> }) {
  const { t } = useTranslation();
  const [decision, setDecision] = useState('');
  const [authority, setAuthority] = useState('');
  const [reason, setReason] = useState('');
  const [date, setDate] = useState(formatDateVn(todayIso()));
  const [typed, setTyped] = useState('');
  const { errors, busy, run } = useSubmit();
  const submit = () => {
    const found: Errors = {};
    if (!decision.trim()) found.decision = t('secrets.destroy.decisionRequired');
    if (!authority.trim()) found.authority = t('secrets.level.authorityRequired');
    if (!reason.trim()) found.reason = t('secrets.reasonRequired');
    if (typed.trim() !== String(doc.arrivalNumber)) found.confirm = t('secrets.destroy.confirmMismatch', { number: doc.arrivalNumber });
    void run(found, () => onSave({ decision, authority, reason, decidedOn: dateTextToIso(date) }));
  };
  return (
    <FormDialog id="destroy-form" title={t('secrets.destroy.dialogTitle', { number: doc.arrivalNumber })} submit={t('secrets.destroy.submit')} busy={busy}
      danger onClose={onClose} onSubmit={submit}>
      <div className="notice notice-warning" role="note">{t('secrets.destroy.warning')}</div>
      <Field id="destroy-decision" label={t('secrets.destroy.decision')} error={errors.decision} required>
        <input className="input" {...controlProps('destroy-decision', errors.decision, false, true)} value={decision} maxLength={500} onChange={(e) => setDecision(e.target.value)} />
      </Field>
      <Field id="destroy-authority" label={t('secrets.level.authority')} error={errors.authority} required>
        <input className="input" {...controlProps('destroy-authority', errors.authority, false, true)} value={authority} maxLength={500} onChange={(e) => setAuthority(e.target.value)} />
      </Field>
      <Field id="destroy-reason" label={t('secrets.reason')} error={errors.reason} required>
        <input className="input" {...controlProps('destroy-reason', errors.reason, false, true)} value={reason} maxLength={500} onChange={(e) => setReason(e.target.value)} />
      </Field>
      <Field id="destroy-date" label={t('secrets.destroy.decidedOn')} error={errors.decidedOn} required>
        <DateInput {...controlProps('destroy-date', errors.decidedOn, false, true)} value={date} onValueChange={setDate} />
      </Field>
      <Field id="destroy-confirm" label={t('secrets.destroy.confirm', { number: doc.arrivalNumber })} error={errors.confirm} required>
        <input className="input" inputMode="numeric" autoComplete="off" {...controlProps('destroy-confirm', errors.confirm, false, true)} value={typed} maxLength={10}
          onChange={(e) => setTyped(e.target.value)} />
      </Field>
      <FormError text={errors._} />
    </FormDialog>
  );
}
