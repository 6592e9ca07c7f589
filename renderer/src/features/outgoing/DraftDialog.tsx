// Soạn văn bản đi: the metadata of Phụ lục VI (type, subject, secrecy, urgency, signer and their
// capacity, copies, reply deadline), the approval chain in order, the recipients (units of the agency,
// outside bodies by identifier code) and the files (the main PDF first, then appendices). The core
// checks everything again and puts its refusals at their fields.
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { InternalUnitView, OutgoingPerson, StagedFile } from '../../../../common/contract';
import { SECRECY_LEVELS, URGENCY_LEVELS, type Secrecy, type Urgency } from '../../../../common/domain';
import { issuableTypes } from '../../../../common/outgoing';
import { outgoingCreateSchema, type OutgoingRecipientInput } from '../../../../common/schemas';
import { DateInput, dateTextToIso } from '../../components/DateInput';
import { Dialog } from '../../components/Dialog';
import { controlProps, Field } from '../../components/Field';
import { Icon, Spinner } from '../../components/Icon';
import { errorFields, errorText, formErrors } from '../../i18n/errors';
import { useLabels } from '../../i18n/labels';
import { asDeskError, call, isGloballyHandled, stageFile } from '../../ipc/call';
import { useApp } from '../../stores/app';
import { toast } from '../../stores/toasts';

type Errors = Record<string, string>;

/** "3, 5" as [3, 5]; anything that is not a page number stays in as NaN for the schema to refuse. */
export const parsePages = (s: string): number[] => s.split(/[,;\s]+/).filter(Boolean).map((x) => (/^\d+$/.test(x) ? Number(x) : Number.NaN));
interface Recipient { input: OutgoingRecipientInput; label: string }

export function DraftDialog({ onClose, onSaved }: { onClose(): void; onSaved(id: number): void }) {
  const { t } = useTranslation();
  const labels = useLabels();
  const me = useApp((s) => s.session?.user);
  const [people, setPeople] = useState<OutgoingPerson[]>([]);
  const [units, setUnits] = useState<InternalUnitView[]>([]);
  const [preset, setPreset] = useState<'state' | 'party'>('state');
  const [f, setF] = useState({
    typeCode: 'CV', subject: '', secrecy: 'thuong' as Secrecy, urgency: 'thuong' as Urgency, signerId: '', signerCompetence: '',
    draftingUnit: '', issuedAmount: '', replyDeadline: '', comment: '', appendixPages: '',
  });
  const [approvers, setApprovers] = useState<number[]>([]);
  const [nextApprover, setNextApprover] = useState('');
  const [recipients, setRecipients] = useState<Recipient[]>([]);
  const [unitChoice, setUnitChoice] = useState('');
  const [ext, setExt] = useState({ code: '', name: '' });
  const [files, setFiles] = useState<StagedFile[]>([]);
  const [errors, setErrors] = useState<Errors>({});
  const [busy, setBusy] = useState<null | 'files' | 'save'>(null);

  useEffect(() => {
    void call('outgoing.people', {}).then(setPeople, () => undefined);
    void call('internalUnits.list', {}).then((u) => setUnits(u.filter((x) => x.active)), () => undefined);
    void call('outgoing.config', {}).then((c) => setPreset(c.preset), () => undefined);
  }, []);

  const set = <K extends keyof typeof f>(k: K, v: (typeof f)[K]) => setF((x) => ({ ...x, [k]: v }));
  const cleared = (p: OutgoingPerson) => SECRECY_LEVELS.indexOf(p.clearance) >= SECRECY_LEVELS.indexOf(f.secrecy);
  const leaders = people.filter((p) => p.role === 'lanh_dao' && cleared(p));
  const name = (id: number) => people.find((p) => p.id === id)?.fullName ?? String(id);

  async function addFiles(list: FileList | null) {
    if (!list) return;
    setBusy('files');
    try {
      const staged: StagedFile[] = [];
      for (const file of Array.from(list)) staged.push(await stageFile(file));
      setFiles((x) => [...x, ...staged]);
    } catch (err) {
      setErrors((e) => ({ ...e, stagedIds: errorText(asDeskError(err)) }));
    } finally {
      setBusy(null);
    }
  }

  async function save() {
    const input = {
      typeCode: f.typeCode, subject: f.subject, secrecy: f.secrecy, urgency: f.urgency, signerId: Number(f.signerId) || 0,
      signerCompetence: f.signerCompetence, draftingUnit: f.draftingUnit, approvers, recipients: recipients.map((r) => r.input),
      ...(f.issuedAmount ? { issuedAmount: Number(f.issuedAmount) } : {}),
      ...(f.replyDeadline ? { replyDeadline: dateTextToIso(f.replyDeadline) } : {}),
      stagedIds: files.map((x) => x.stagedId), comment: f.comment, appendixPages: parsePages(f.appendixPages),
    };
    const parsed = outgoingCreateSchema.safeParse(input);
    if (!parsed.success) return setErrors(formErrors(parsed.error));
    setBusy('save');
    setErrors({});
    try {
      const d = await call('outgoing.create', parsed.data);
      toast.success(t('outgoing.toast.saved'));
      onSaved(d.id);
    } catch (err) {
      const de = asDeskError(err);
      if (de.fields && Object.keys(de.fields).length > 0) setErrors(errorFields(de));
      else if (!isGloballyHandled(de)) setErrors({ _: errorText(de) });
    } finally {
      setBusy(null);
    }
  }

  const e = (k: string) => errors[k];
  return (
    <Dialog open title={t('outgoing.form.title')} onClose={onClose} className="outgoing-dialog"
      footer={
        <>
          <span className="footer-status">{errors._ && <span className="form-error" role="alert">{errors._}</span>}</span>
          <button type="button" className="button" onClick={onClose}>{t('common.cancel')}</button>
          <button type="submit" form="outgoing-draft" className="button primary" disabled={busy !== null}>{busy === 'save' && <Spinner />} {t('outgoing.form.save')}</button>
        </>
      }>
      <form id="outgoing-draft" className="outgoing-form" noValidate onSubmit={(ev) => { ev.preventDefault(); void save(); }}>
        <div className="outgoing-form-col">
          <div className="form-grid two">
            <Field id="og-type" label={t('outgoing.form.type')} error={e('typeCode')} required>
              <select className="input" {...controlProps('og-type', e('typeCode'), false, true)} value={f.typeCode} onChange={(ev) => set('typeCode', ev.target.value)}>
                {issuableTypes(preset).map((x) => <option key={x.code} value={x.code}>{labels.docType(x.code)}</option>)}
              </select>
            </Field>
            <Field id="og-drafting-unit" label={t('outgoing.form.draftingUnit')} error={e('draftingUnit')} hint={t('outgoing.form.draftingUnitHint')}>
              <input className="input" {...controlProps('og-drafting-unit', e('draftingUnit'), true)} value={f.draftingUnit} maxLength={20} onChange={(ev) => set('draftingUnit', ev.target.value)} />
            </Field>
          </div>
          <Field id="og-subject" label={t('outgoing.form.subject')} error={e('subject')} required>
            <textarea className="input" rows={3} {...controlProps('og-subject', e('subject'), false, true)} value={f.subject} maxLength={500} onChange={(ev) => set('subject', ev.target.value)} />
          </Field>
          <div className="form-grid two">
            <Field id="og-secrecy" label={t('outgoing.form.secrecy')} error={e('secrecy')} required>
              <select className="input" {...controlProps('og-secrecy', e('secrecy'))} value={f.secrecy} onChange={(ev) => set('secrecy', ev.target.value as Secrecy)}>
                {SECRECY_LEVELS.filter((s) => !me || SECRECY_LEVELS.indexOf(s) <= SECRECY_LEVELS.indexOf(me.clearance)).map((s) => <option key={s} value={s}>{labels.secrecy(s)}</option>)}
              </select>
            </Field>
            <Field id="og-urgency" label={t('outgoing.form.urgency')} error={e('urgency')}>
              <select className="input" {...controlProps('og-urgency', e('urgency'))} value={f.urgency} onChange={(ev) => set('urgency', ev.target.value as Urgency)}>
                {URGENCY_LEVELS.map((u) => <option key={u} value={u}>{labels.urgency(u)}</option>)}
              </select>
            </Field>
          </div>
          <div className="form-grid two">
            <Field id="og-signer" label={t('outgoing.form.signer')} error={e('signerId')} required>
              <select className="input" {...controlProps('og-signer', e('signerId'), false, true)} value={f.signerId} onChange={(ev) => set('signerId', ev.target.value)}>
                <option value="">{t('outgoing.form.chooseSigner')}</option>
                {leaders.map((p) => <option key={p.id} value={p.id}>{p.fullName} — {p.position}</option>)}
              </select>
            </Field>
            <Field id="og-competence" label={t('outgoing.form.competence')} error={e('signerCompetence')} hint={t('outgoing.form.competenceHint')}>
              <input className="input" {...controlProps('og-competence', e('signerCompetence'), true)} value={f.signerCompetence} maxLength={120} onChange={(ev) => set('signerCompetence', ev.target.value)} />
            </Field>
          </div>
          <div className="form-grid two">
            <Field id="og-amount" label={t('outgoing.form.amount')} error={e('issuedAmount')}>
              <input className="input" inputMode="numeric" {...controlProps('og-amount', e('issuedAmount'))} value={f.issuedAmount} maxLength={5} onChange={(ev) => set('issuedAmount', ev.target.value.replace(/\D/g, ''))} />
            </Field>
            <Field id="og-reply" label={t('outgoing.form.replyDeadline')} error={e('replyDeadline')}>
              <DateInput {...controlProps('og-reply', e('replyDeadline'))} value={f.replyDeadline} onValueChange={(v) => set('replyDeadline', v)} />
            </Field>
          </div>
          <Field id="og-comment" label={t('outgoing.form.comment')} error={e('comment')}>
            <input className="input" {...controlProps('og-comment', e('comment'))} value={f.comment} maxLength={2000} onChange={(ev) => set('comment', ev.target.value)} />
          </Field>
        </div>
        <div className="outgoing-form-col">
          <Field id="og-approver" label={t('outgoing.form.approvers')} error={e('approvers')}>
            <div className="inline-add">
              <select className="input" {...controlProps('og-approver', e('approvers'))} value={nextApprover} onChange={(ev) => setNextApprover(ev.target.value)}>
                <option value="">{t('outgoing.form.chooseApprover')}</option>
                {people.filter((p) => cleared(p) && !approvers.includes(p.id)).map((p) => <option key={p.id} value={p.id}>{p.fullName} — {p.position}</option>)}
              </select>
              <button type="button" className="button" disabled={!nextApprover} onClick={() => { setApprovers((a) => [...a, Number(nextApprover)]); setNextApprover(''); }}>
                <Icon name="plus" /> {t('outgoing.form.add')}
              </button>
            </div>
          </Field>
          <ol className="chain-list">
            {approvers.map((id) => (
              <li key={id}>{name(id)} <button type="button" className="link-button" onClick={() => setApprovers((a) => a.filter((x) => x !== id))}>{t('outgoing.form.remove')}</button></li>
            ))}
          </ol>
          <Field id="og-unit" label={t('outgoing.form.internalUnit')} error={e('recipients')}>
            <div className="inline-add">
              <select className="input" {...controlProps('og-unit', e('recipients'))} value={unitChoice} onChange={(ev) => setUnitChoice(ev.target.value)}>
                <option value="">{t('outgoing.form.chooseUnit')}</option>
                {units.map((u) => <option key={u.id} value={u.id}>{u.name}</option>)}
              </select>
              <button type="button" className="button" disabled={!unitChoice} onClick={() => {
                const u = units.find((x) => x.id === Number(unitChoice));
                if (u) setRecipients((r) => [...r, { input: { internalUnitId: u.id }, label: u.name }]);
                setUnitChoice('');
              }}><Icon name="plus" /> {t('outgoing.form.add')}</button>
            </div>
          </Field>
          <fieldset className="external-recipient">
            <legend>{t('outgoing.form.external')}</legend>
            <div className="inline-add">
              <input className="input code" aria-label={t('outgoing.form.code')} placeholder={t('outgoing.form.code')} value={ext.code} maxLength={35}
                onChange={(ev) => setExt((x) => ({ ...x, code: ev.target.value.toUpperCase() }))} />
              <input className="input" aria-label={t('outgoing.form.name')} placeholder={t('outgoing.form.name')} value={ext.name} maxLength={200}
                onChange={(ev) => setExt((x) => ({ ...x, name: ev.target.value }))} />
              <button type="button" className="button" disabled={!ext.code.trim() || !ext.name.trim()} onClick={() => {
                setRecipients((r) => [...r, { input: { code: ext.code.trim(), name: ext.name.trim() }, label: `${ext.name.trim()} (${ext.code.trim()})` }]);
                setExt({ code: '', name: '' });
              }}><Icon name="plus" /> {t('outgoing.form.add')}</button>
            </div>
          </fieldset>
          <ul className="recipient-list">
            {recipients.length === 0 && <li className="muted">{t('outgoing.form.noRecipients')}</li>}
            {recipients.map((r, i) => (
              <li key={`${r.label}-${i}`}>{r.label} <button type="button" className="link-button" onClick={() => setRecipients((x) => x.filter((_, j) => j !== i))}>{t('outgoing.form.remove')}</button></li>
            ))}
          </ul>
          <Field id="og-files" label={t('outgoing.form.files')} error={e('stagedIds')} hint={t('outgoing.form.filesHint')} required>
            <input type="file" multiple accept="application/pdf,.pdf,.doc,.docx,.odt,.xlsx" {...controlProps('og-files', e('stagedIds'), true, true)}
              onChange={(ev) => { void addFiles(ev.target.files); ev.target.value = ''; }} />
          </Field>
          <Field id="og-appendix-pages" label={t('outgoing.form.appendixPages')} error={e('appendixPages')} hint={t('outgoing.form.appendixPagesHint')}>
            <input className="input" inputMode="numeric" placeholder="3, 5" {...controlProps('og-appendix-pages', e('appendixPages'), true)} value={f.appendixPages} maxLength={200}
              onChange={(ev) => set('appendixPages', ev.target.value)} />
          </Field>
          <ul className="recipient-list">
            {busy === 'files' && <li><Spinner /></li>}
            {files.map((x, i) => (
              <li key={x.stagedId}><Icon name="paperclip" /> {x.name} <span className="muted">· {i === 0 ? t('outgoing.form.main') : t('outgoing.form.appendix')}</span>{' '}
                <button type="button" className="link-button" onClick={() => setFiles((l) => l.filter((y) => y.stagedId !== x.stagedId))}>{t('outgoing.form.remove')}</button></li>
            ))}
          </ul>
        </div>
      </form>
    </Dialog>
  );
}
