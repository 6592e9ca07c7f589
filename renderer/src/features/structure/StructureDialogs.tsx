// The dialogs of "Đơn vị trong cơ quan": add or correct a unit, rename it by a dated decision, merge,
// split, place a person, grant an authority, import a workbook. Each sends one call; the core checks
// it and its field errors come back to their fields.
import { useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { InternalUnitView, OrgStructureView, StructureImportPlan, UnitMemberView } from '../../../../common/contract';
import { formatDateVn, todayIso } from '../../../../common/dates';
import { AUTHORITY_KINDS, SIGNING_PREFIXES, UNIT_ROLES, type AuthorityKind, type SigningPrefix, type UnitRole } from '../../../../common/domain';
import { internalUnitAddSchema } from '../../../../common/schemas';
import { DateInput, dateTextToIso } from '../../components/DateInput';
import { controlProps, Field } from '../../components/Field';
import { FormDialog, FormError, useSubmit, type Errors } from '../../components/FormDialog';
import { Spinner } from '../../components/Icon';
import { Dialog } from '../../components/Dialog';
import { errorText, formErrors, wordMessage as messageText } from '../../i18n/errors';
import { asDeskError, call, canPickFiles, pickFiles, stageFile } from '../../ipc/call';

type Done = (v: OrgStructureView) => void;
const activeUnits = (units: InternalUnitView[], except?: number) => units.filter((u) => u.active && u.id !== except);

/** Adds a unit, or corrects one (a typo: its name in every period so far; a rename by decision is "Đổi tên"). */
export function UnitDialog({ unit, units, onClose, onSaved }: { unit: InternalUnitView | null; units: InternalUnitView[]; onClose(): void; onSaved(name: string): void }) {
  const { t } = useTranslation();
  const [name, setName] = useState(unit?.name ?? '');
  const [code, setCode] = useState(unit?.code ?? '');
  const [parent, setParent] = useState(unit?.parentId === null || unit === null ? '' : String(unit.parentId));
  const { errors, busy, run } = useSubmit();
  const submit = () => {
    const parentId = parent ? Number(parent) : undefined;
    const parsed = internalUnitAddSchema.safeParse({ name, ...(code.trim() ? { code } : {}), ...(parentId !== undefined ? { parentId } : {}) });
    void run(parsed.success ? {} : formErrors(parsed.error), async () => {
      if (!parsed.success) return;
      if (unit) await call('internalUnits.update', { id: unit.id, name: parsed.data.name, parentId: parentId ?? null });
      else await call('internalUnits.add', parsed.data);
      onSaved(parsed.data.name);
    });
  };
  return (
    <FormDialog id="unit-form" title={unit ? t('internalUnits.editTitle', { name: unit.name }) : t('internalUnits.addTitle')} submit={t('registers.save')} busy={busy} onClose={onClose} onSubmit={submit}>
      <Field id="unit-form-name" label={t('internalUnits.col.name')} error={errors.name} required>
        <input className="input" {...controlProps('unit-form-name', errors.name, false, true)} value={name} maxLength={200} onChange={(e) => setName(e.target.value)} />
      </Field>
      {!unit && (
        <Field id="unit-form-code" label={t('structure.col.code')} error={errors.code} hint={t('structure.codeHint')}>
          <input className="input" {...controlProps('unit-form-code', errors.code, true)} value={code} maxLength={20} onChange={(e) => setCode(e.target.value)} />
        </Field>
      )}
      <Field id="unit-form-parent" label={t('internalUnits.col.parent')} error={errors.parentId}>
        <select className="input" {...controlProps('unit-form-parent', errors.parentId)} value={parent} onChange={(e) => setParent(e.target.value)}>
          <option value="">{t('internalUnits.noParent')}</option>
          {activeUnits(units, unit?.id).map((u) => <option key={u.id} value={u.id}>{u.name}</option>)}
        </select>
      </Field>
      <FormError text={errors._} />
    </FormDialog>
  );
}

function DecisionFields({ prefix, date, setDate, decision, setDecision, errors }: {
  prefix: string; date: string; setDate(v: string): void; decision: string; setDecision(v: string): void; errors: Errors;
}) {
  const { t } = useTranslation();
  return (
    <div className="form-grid two">
      <Field id={`${prefix}-date`} label={t('structure.onDate')} error={errors.onDate} required>
        <DateInput {...controlProps(`${prefix}-date`, errors.onDate, false, true)} value={date} onValueChange={setDate} />
      </Field>
      <Field id={`${prefix}-decision`} label={t('structure.decision')} error={errors.decision} required>
        <input className="input" {...controlProps(`${prefix}-decision`, errors.decision, false, true)} value={decision} maxLength={300}
          placeholder={t('structure.decisionPlaceholder')} onChange={(e) => setDecision(e.target.value)} />
      </Field>
    </div>
  );
}

export function RenameDialog({ unit, onClose, onDone }: { unit: InternalUnitView; onClose(): void; onDone(v: OrgStructureView, name: string): void }) {
  const { t } = useTranslation();
  const [name, setName] = useState(unit.name);
  const [code, setCode] = useState(unit.code);
  const [date, setDate] = useState(formatDateVn(todayIso()));
  const [decision, setDecision] = useState('');
  const { errors, busy, run } = useSubmit();
  const submit = () => void run({}, async () => onDone(await call('structure.renameUnit', { id: unit.id, name, code, onDate: dateTextToIso(date), decision }), name));
  return (
    <FormDialog id="rename-form" title={t('structure.renameTitle', { name: unit.name })} submit={t('structure.rename')} busy={busy} onClose={onClose} onSubmit={submit}>
      <p className="section-lead">{t('structure.renameLead')}</p>
      <div className="form-grid two">
        <Field id="rename-name" label={t('structure.newName')} error={errors.name} required>
          <input className="input" {...controlProps('rename-name', errors.name, false, true)} value={name} maxLength={200} onChange={(e) => setName(e.target.value)} />
        </Field>
        <Field id="rename-code" label={t('structure.col.code')} error={errors.code}>
          <input className="input" {...controlProps('rename-code', errors.code)} value={code} maxLength={20} onChange={(e) => setCode(e.target.value)} />
        </Field>
      </div>
      <DecisionFields prefix="rename" date={date} setDate={setDate} decision={decision} setDecision={setDecision} errors={errors} />
      <FormError text={errors._} />
    </FormDialog>
  );
}

export function MergeDialog({ unit, units, onClose, onDone }: { unit: InternalUnitView; units: InternalUnitView[]; onClose(): void; onDone(v: OrgStructureView, successor: number): void }) {
  const { t } = useTranslation();
  const [others, setOthers] = useState<number[]>([]);
  const [mode, setMode] = useState<'new' | 'absorb'>('new');
  const [name, setName] = useState('');
  const [code, setCode] = useState('');
  const [date, setDate] = useState(formatDateVn(todayIso()));
  const [decision, setDecision] = useState('');
  const { errors, busy, run } = useSubmit();
  const submit = () => {
    const found: Errors = others.length === 0 ? { unitIds: t('structure.mergePick') } : {};
    void run(found, async () => {
      const v = await call('structure.mergeUnits', {
        unitIds: [unit.id, ...others], into: mode === 'absorb' ? { id: unit.id } : { name, ...(code.trim() ? { code } : {}) }, onDate: dateTextToIso(date), decision,
      });
      onDone(v, v.result);
    });
  };
  return (
    <FormDialog id="merge-form" title={t('structure.mergeTitle', { name: unit.name })} submit={t('structure.merge')} busy={busy} onClose={onClose} onSubmit={submit} className="structure-dialog">
      <p className="section-lead">{t('structure.mergeLead')}</p>
      <fieldset className="choice-group" aria-describedby={errors.unitIds ? 'merge-units-error' : undefined}>
        <legend>{t('structure.mergeWith')}</legend>
        <div className="checkbox-row">
          {activeUnits(units, unit.id).map((u) => (
            <label key={u.id} className="checkbox">
              <input type="checkbox" checked={others.includes(u.id)} onChange={(e) => setOthers(e.target.checked ? [...others, u.id] : others.filter((x) => x !== u.id))} /> {u.name}
            </label>
          ))}
        </div>
        {errors.unitIds && <div id="merge-units-error" className="field-error" role="alert">{errors.unitIds}</div>}
      </fieldset>
      <fieldset className="choice-group">
        <legend>{t('structure.mergeInto')}</legend>
        <label className="checkbox"><input type="radio" name="merge-mode" checked={mode === 'new'} onChange={() => setMode('new')} /> {t('structure.mergeNew')}</label>
        <label className="checkbox"><input type="radio" name="merge-mode" checked={mode === 'absorb'} onChange={() => setMode('absorb')} /> {t('structure.mergeAbsorb', { name: unit.name })}</label>
      </fieldset>
      {mode === 'new' && (
        <div className="form-grid two">
          <Field id="merge-name" label={t('structure.newName')} error={errors['into.name'] ?? errors.name} required>
            <input className="input" {...controlProps('merge-name', errors['into.name'] ?? errors.name, false, true)} value={name} maxLength={200} onChange={(e) => setName(e.target.value)} />
          </Field>
          <Field id="merge-code" label={t('structure.col.code')} error={errors['into.code'] ?? errors.code}>
            <input className="input" {...controlProps('merge-code', errors['into.code'] ?? errors.code)} value={code} maxLength={20} onChange={(e) => setCode(e.target.value)} />
          </Field>
        </div>
      )}
      <DecisionFields prefix="merge" date={date} setDate={setDate} decision={decision} setDecision={setDecision} errors={errors} />
      <FormError text={errors._ ?? errors.into} />
    </FormDialog>
  );
}

export function SplitDialog({ unit, members, onClose, onDone }: { unit: InternalUnitView; members: UnitMemberView[]; onClose(): void; onDone: Done }) {
  const { t } = useTranslation();
  const [parts, setParts] = useState([{ name: '', code: '' }, { name: '', code: '' }]);
  const [placed, setPlaced] = useState<Record<string, string>>({});
  const [date, setDate] = useState(formatDateVn(todayIso()));
  const [decision, setDecision] = useState('');
  const { errors, busy, run } = useSubmit();
  const setPart = (i: number, k: 'name' | 'code', v: string) => setParts(parts.map((p, j) => (j === i ? { ...p, [k]: v } : p)));
  const submit = () => void run({}, async () => {
    const into = parts.map((p) => ({ name: p.name, ...(p.code.trim() ? { code: p.code } : {}) }));
    const chosen = Object.fromEntries(Object.entries(placed).filter(([, v]) => v !== '').map(([k, v]) => [k, Number(v)]));
    onDone(await call('structure.splitUnit', { unitId: unit.id, into, onDate: dateTextToIso(date), decision, members: chosen }));
  });
  return (
    <FormDialog id="split-form" title={t('structure.splitTitle', { name: unit.name })} submit={t('structure.split')} busy={busy} onClose={onClose} onSubmit={submit} className="structure-dialog">
      <p className="section-lead">{t('structure.splitLead')}</p>
      {parts.map((p, i) => (
        <div key={i} className="form-grid two">
          <Field id={`split-name-${i}`} label={t('structure.partName', { n: i + 1 })} error={errors[`into.${i}.name`]} required>
            <input className="input" {...controlProps(`split-name-${i}`, errors[`into.${i}.name`], false, true)} value={p.name} maxLength={200} onChange={(e) => setPart(i, 'name', e.target.value)} />
          </Field>
          <Field id={`split-code-${i}`} label={t('structure.col.code')} error={errors[`into.${i}.code`]}>
            <input className="input" {...controlProps(`split-code-${i}`, errors[`into.${i}.code`])} value={p.code} maxLength={20} onChange={(e) => setPart(i, 'code', e.target.value)} />
          </Field>
        </div>
      ))}
      {parts.length < 20 && <button type="button" className="button small" onClick={() => setParts([...parts, { name: '', code: '' }])}>{t('structure.addPart')}</button>}
      {members.length > 0 && (
        <fieldset className="choice-group">
          <legend>{t('structure.splitPeople')}</legend>
          {members.map((m) => (
            <Field key={m.userId} id={`split-person-${m.userId}`} label={m.fullName}>
              <select className="input" id={`split-person-${m.userId}`} value={placed[m.userId] ?? ''} onChange={(e) => setPlaced({ ...placed, [m.userId]: e.target.value })}>
                <option value="">{t('structure.placeLater')}</option>
                {parts.map((p, i) => <option key={i} value={i}>{p.name || t('structure.partName', { n: i + 1 })}</option>)}
              </select>
            </Field>
          ))}
        </fieldset>
      )}
      <DecisionFields prefix="split" date={date} setDate={setDate} decision={decision} setDecision={setDecision} errors={errors} />
      <FormError text={errors._ ?? errors.into} />
    </FormDialog>
  );
}

export function MemberDialog({ unit, data, onClose, onDone }: { unit: InternalUnitView | null; data: OrgStructureView; onClose(): void; onDone: Done }) {
  const { t } = useTranslation();
  const [userId, setUserId] = useState('');
  const [unitId, setUnitId] = useState(unit ? String(unit.id) : '');
  const [role, setRole] = useState<UnitRole>('member');
  const { errors, busy, run } = useSubmit();
  const submit = () => void run(userId ? {} : { userId: t('structure.personRequired') }, async () =>
    onDone(await call('structure.setMember', { userId: Number(userId), unitId: unitId ? Number(unitId) : null, unitRole: role })));
  return (
    <FormDialog id="member-form" title={t('structure.placeTitle')} submit={t('registers.save')} busy={busy} onClose={onClose} onSubmit={submit}>
      <Field id="member-person" label={t('structure.col.fullName')} error={errors.userId} required>
        <select className="input" {...controlProps('member-person', errors.userId, false, true)} value={userId} onChange={(e) => {
          setUserId(e.target.value);
          const m = data.members.find((x) => String(x.userId) === e.target.value);
          if (m && !unit) setUnitId(m.unitId === null ? '' : String(m.unitId));
        }}>
          <option value="">{t('common.choose')}</option>
          {data.members.map((m) => <option key={m.userId} value={m.userId}>{m.fullName}{m.position ? ` — ${m.position}` : ''}</option>)}
        </select>
      </Field>
      <div className="form-grid two">
        <Field id="member-unit" label={t('structure.unit')} error={errors.unitId}>
          <select className="input" {...controlProps('member-unit', errors.unitId)} value={unitId} onChange={(e) => setUnitId(e.target.value)}>
            <option value="">{t('structure.noUnit')}</option>
            {activeUnits(data.units).map((u) => <option key={u.id} value={u.id}>{u.name}</option>)}
          </select>
        </Field>
        <Field id="member-role" label={t('structure.col.capacity')} error={errors.unitRole}>
          <select className="input" {...controlProps('member-role', errors.unitRole)} value={role} disabled={!unitId} onChange={(e) => setRole(e.target.value as UnitRole)}>
            {UNIT_ROLES.map((r) => <option key={r} value={r}>{t(`structure.capacity.${r}`)}</option>)}
          </select>
        </Field>
      </div>
      <FormError text={errors._} />
    </FormDialog>
  );
}

export function GrantDialog({ unit, data, onClose, onDone }: { unit: InternalUnitView | null; data: OrgStructureView; onClose(): void; onDone: Done }) {
  const { t } = useTranslation();
  const [userId, setUserId] = useState('');
  const [kind, setKind] = useState<AuthorityKind>('sign');
  const [prefix, setPrefix] = useState<SigningPrefix>('');
  const [onBehalf, setOnBehalf] = useState('');
  const [from, setFrom] = useState(formatDateVn(todayIso()));
  const [to, setTo] = useState('');
  const { errors, busy, run } = useSubmit();
  const submit = () => void run(userId ? {} : { userId: t('structure.personRequired') }, async () => onDone(await call('structure.grantAuthority', {
    userId: Number(userId), kind, prefix: kind === 'sign' ? prefix : '', onBehalf: kind === 'sign' ? onBehalf : '', unitId: unit?.id ?? null,
    validFrom: dateTextToIso(from), validTo: to.trim() ? dateTextToIso(to) : null,
  })));
  return (
    <FormDialog id="grant-form" title={unit ? t('structure.grantTitle', { name: unit.name }) : t('structure.grantAgencyTitle')} submit={t('structure.grant')} busy={busy} onClose={onClose} onSubmit={submit}>
      <Field id="grant-person" label={t('structure.col.fullName')} error={errors.userId} required>
        <select className="input" {...controlProps('grant-person', errors.userId, false, true)} value={userId} onChange={(e) => setUserId(e.target.value)}>
          <option value="">{t('common.choose')}</option>
          {data.members.map((m) => <option key={m.userId} value={m.userId}>{m.fullName}{m.position ? ` — ${m.position}` : ''}</option>)}
        </select>
      </Field>
      <div className="form-grid two">
        <Field id="grant-kind" label={t('structure.col.kind')} error={errors.kind} required>
          <select className="input" {...controlProps('grant-kind', errors.kind, false, true)} value={kind} onChange={(e) => setKind(e.target.value as AuthorityKind)}>
            {AUTHORITY_KINDS.map((k) => <option key={k} value={k}>{t(`structure.kind.${k}`)}</option>)}
          </select>
        </Field>
        <Field id="grant-prefix" label={t('structure.prefix')} error={errors.prefix}>
          <select className="input" {...controlProps('grant-prefix', errors.prefix)} value={prefix} disabled={kind !== 'sign'} onChange={(e) => setPrefix(e.target.value as SigningPrefix)}>
            {SIGNING_PREFIXES.map((p) => <option key={p} value={p}>{p ? t(`structure.prefixes.${p.replace('.', '')}`) : t('structure.prefixes.none')}</option>)}
          </select>
        </Field>
      </div>
      {kind === 'sign' && prefix && (
        <Field id="grant-behalf" label={t('structure.onBehalf')} error={errors.onBehalf} required hint={t('structure.onBehalfHint')}>
          <input className="input" {...controlProps('grant-behalf', errors.onBehalf, true, true)} value={onBehalf} maxLength={200} onChange={(e) => setOnBehalf(e.target.value)} />
        </Field>
      )}
      <div className="form-grid two">
        <Field id="grant-from" label={t('structure.validFrom')} error={errors.validFrom} required>
          <DateInput {...controlProps('grant-from', errors.validFrom, false, true)} value={from} onValueChange={setFrom} />
        </Field>
        <Field id="grant-to" label={t('structure.validTo')} error={errors.validTo} hint={t('structure.validToHint')}>
          <DateInput {...controlProps('grant-to', errors.validTo, true)} value={to} onValueChange={setTo} />
        </Field>
      </div>
      <FormError text={errors._} />
    </FormDialog>
  );
}

/** "Nhập từ Excel": stage the workbook, show what it would change (or which cells are wrong), then apply exactly it. */
export function ImportDialog({ onClose, onDone }: { onClose(): void; onDone(v: OrgStructureView, counts: { units: number; people: number; authorities: number }): void }) {
  const { t } = useTranslation();
  const input = useRef<HTMLInputElement>(null);
  const [staged, setStaged] = useState<{ id: string; name: string } | null>(null);
  const [plan, setPlan] = useState<StructureImportPlan | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function preview(id: string, name: string) {
    setStaged({ id, name });
    setPlan(null);
    setError(null);
    setBusy(true);
    try {
      setPlan(await call('structure.previewImport', { stagedId: id }));
    } catch (err) {
      setError(errorText(asDeskError(err)));
    } finally {
      setBusy(false);
    }
  }
  async function choose() {
    if (canPickFiles()) {
      const picked = await pickFiles().catch(() => null);
      const f = picked?.files[0];
      if (f) await preview(f.stagedId, f.name);
      return;
    }
    input.current?.click();
  }
  async function apply() {
    if (!staged || !plan) return;
    setBusy(true);
    try {
      const v = await call('structure.applyImport', { stagedId: staged.id, sha256: plan.sha256 });
      onDone(v, v.result);
    } catch (err) {
      setError(errorText(asDeskError(err)));
      setBusy(false);
    }
  }
  const ok = plan && plan.problems.length === 0;
  return (
    <Dialog open title={t('structure.import.title')} onClose={onClose} className="structure-dialog"
      footer={
        <>
          <span className="footer-status">{busy && <Spinner />}</span>
          <button type="button" className="button" onClick={onClose}>{t('common.cancel')}</button>
          <button type="button" className="button primary" disabled={!ok || busy} onClick={() => void apply()}>{t('structure.import.apply')}</button>
        </>
      }>
      <p className="section-lead">{t('structure.import.lead')}</p>
      <input ref={input} type="file" hidden accept=".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet" aria-label={t('structure.import.choose')}
        onChange={(e) => {
          const f = e.target.files?.[0];
          e.target.value = '';
          if (!f) return;
          setBusy(true);
          stageFile(f).then((s) => preview(s.stagedId, s.name), (err: unknown) => {
            setError(errorText(asDeskError(err)));
            setBusy(false);
          });
        }} />
      <p>
        <button type="button" className="button" onClick={() => void choose()} disabled={busy}>{t('structure.import.choose')}</button>{' '}
        {staged && <span className="strong">{staged.name}</span>}
      </p>
      {error && <div className="form-error" role="alert">{error}</div>}
      {plan && plan.problems.length > 0 && (
        <div role="alert" className="import-problems">
          <p className="form-error">{t('structure.import.problems', { count: plan.problems.length })}</p>
          <table className="data-table compact">
            <thead><tr><th>{t('structure.import.sheet')}</th><th>{t('structure.import.row')}</th><th>{t('structure.import.column')}</th><th>{t('structure.import.problem')}</th></tr></thead>
            <tbody>
              {plan.problems.map((p, i) => (
                <tr key={i}><td>{p.sheet}</td><td className="num">{p.row ?? ''}</td><td>{p.column ?? ''}</td><td>{messageText(p.message)}</td></tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {ok && (
        <div className="import-summary" aria-label={t('structure.import.summary')}>
          <ul>
            <li>{t('structure.import.unitsAdded', { count: plan.unitsAdded.length })}{plan.unitsAdded.length > 0 && `: ${plan.unitsAdded.map((u) => u.name).join(', ')}`}</li>
            {plan.unitsRenamed.length > 0 && <li>{t('structure.import.unitsRenamed', { count: plan.unitsRenamed.length })}: {plan.unitsRenamed.map((r) => `${r.from} → ${r.to}`).join(', ')}</li>}
            <li>{t('structure.import.peopleAdded', { count: plan.peopleAdded.length })}{plan.peopleAdded.length > 0 && `: ${plan.peopleAdded.map((p) => p.fullName).join(', ')}`}</li>
            <li>{t('structure.import.peopleUpdated', { count: plan.peopleUpdated.length })}</li>
            <li>{t('structure.import.authorities', { count: plan.authorities.length })}</li>
          </ul>
          {plan.notes.map((n, i) => <p key={i} className="muted">{messageText(n)}</p>)}
        </div>
      )}
    </Dialog>
  );
}
