// The dialogs of "Sổ đăng ký": a register (name, levels, its numbering scope), a numbering scope
// (when it starts again, per type or shared), and closing a register's year.
import { useState, type FormEvent, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import type { RegisterAdminView, ScopeView } from '../../../../common/contract';
import { formatDateVn, MIN_YEAR } from '../../../../common/dates';
import { RESET_PERIODS, SECRECY_LEVELS, type ResetPeriod, type Secrecy } from '../../../../common/domain';
import { registerCreateSchema, scopeInputSchema } from '../../../../common/schemas';
import { DateInput, dateTextToIso } from '../../components/DateInput';
import { Dialog } from '../../components/Dialog';
import { controlProps, Field } from '../../components/Field';
import { Spinner } from '../../components/Icon';
import { useLabels } from '../../i18n/labels';
import { errorFields, errorText, formErrors } from '../../i18n/errors';
import { asDeskError, call, isGloballyHandled } from '../../ipc/call';
import { toast } from '../../stores/toasts';
import { deliverTicket } from '../secrets/registerFile';

type Errors = Record<string, string>;

/** Puts a refusal at its field, or above the form. */
function placeError(err: unknown, set: (e: Errors) => void): void {
  const de = asDeskError(err);
  if (de.fields && Object.keys(de.fields).length > 0) set(errorFields(de));
  else if (!isGloballyHandled(de)) set({ _: errorText(de) });
}

function FormDialog({ id, title, busy, submitLabel, onClose, onSubmit, children, error }: {
  id: string; title: string; busy: boolean; submitLabel: string; onClose(): void; onSubmit(): void; children: ReactNode; error?: string | undefined;
}) {
  const { t } = useTranslation();
  return (
    <Dialog open title={title} onClose={onClose} className="small-dialog"
      footer={
        <>
          <span className="footer-status" />
          <button type="button" className="button" onClick={onClose}>{t('common.cancel')}</button>
          <button type="submit" form={id} className="button primary" disabled={busy}>{busy && <Spinner />} {submitLabel}</button>
        </>
      }>
      <form id={id} className="form-stack" noValidate onSubmit={(e: FormEvent) => {
        e.preventDefault();
        onSubmit();
      }}>
        {children}
        {error && <div className="form-error" role="alert">{error}</div>}
      </form>
    </Dialog>
  );
}

interface ScopeFields { name: string; reset: ResetPeriod; perType: boolean; termStart: string; termYears: string }

function ScopeFieldset({ prefix, value, onChange, errors, lockedPerType }: {
  prefix: string; value: ScopeFields; onChange(v: ScopeFields): void; errors: Errors; lockedPerType: boolean;
}) {
  const { t } = useTranslation();
  const set = <K extends keyof ScopeFields>(k: K, v: ScopeFields[K]) => onChange({ ...value, [k]: v });
  const e = (k: string) => errors[k] ?? errors[`scope.${k}`];
  return (
    <>
      <Field id={`${prefix}-name`} label={t('registers.scopeForm.name')} error={e('name')} required>
        <input className="input" {...controlProps(`${prefix}-name`, e('name'), false, true)} value={value.name} maxLength={120}
          onChange={(ev) => set('name', ev.target.value)} />
      </Field>
      <Field id={`${prefix}-reset`} label={t('registers.scopeForm.reset')} error={e('reset')} required>
        <select className="input" {...controlProps(`${prefix}-reset`, e('reset'), false, true)} value={value.reset}
          onChange={(ev) => set('reset', ev.target.value as ResetPeriod)}>
          {RESET_PERIODS.map((r) => <option key={r} value={r}>{t(`registers.resetOption.${r}`)}</option>)}
        </select>
      </Field>
      {value.reset === 'term' && (
        <div className="form-grid two">
          <Field id={`${prefix}-term-start`} label={t('registers.scopeForm.termStart')} error={e('termStart')} required>
            <DateInput {...controlProps(`${prefix}-term-start`, e('termStart'), false, true)} value={value.termStart} onValueChange={(v) => set('termStart', v)} />
          </Field>
          <Field id={`${prefix}-term-years`} label={t('registers.scopeForm.termYears')} error={e('termYears')}>
            <input className="input" inputMode="numeric" {...controlProps(`${prefix}-term-years`, e('termYears'))} value={value.termYears} maxLength={2}
              onChange={(ev) => set('termYears', ev.target.value)} />
          </Field>
        </div>
      )}
      <Field id={`${prefix}-per-type`} label={t('registers.scopeForm.sequences')} error={e('perType')}
        hint={lockedPerType ? t('registers.scopeForm.perTypeLocked') : undefined}>
        <select className="input" {...controlProps(`${prefix}-per-type`, e('perType'), lockedPerType)} value={value.perType ? 'type' : 'shared'}
          disabled={lockedPerType} onChange={(ev) => set('perType', ev.target.value === 'type')}>
          <option value="shared">{t('registers.rule.shared')}</option>
          <option value="type">{t('registers.rule.perType')}</option>
        </select>
      </Field>
    </>
  );
}

const scopeInput = (v: ScopeFields) => ({
  name: v.name, reset: v.reset, perType: v.perType,
  ...(v.reset === 'term' && v.termStart.trim() ? { termStart: dateTextToIso(v.termStart) } : {}),
  ...(v.reset === 'term' && v.termYears.trim() ? { termYears: /^\d+$/.test(v.termYears.trim()) ? Number(v.termYears) : NaN } : {}),
});

const scopeFieldsOf = (s: ScopeView | null): ScopeFields => ({
  name: s?.name ?? '', reset: s?.reset ?? 'year', perType: s?.perType ?? false,
  termStart: formatDateVn(s?.termStart ?? null), termYears: String(s?.termYears ?? 5),
});

export function ScopeFormDialog({ scope, onClose, onSaved }: { scope: ScopeView | null; onClose(): void; onSaved(): void }) {
  const { t } = useTranslation();
  const [value, setValue] = useState<ScopeFields>(() => scopeFieldsOf(scope));
  const [errors, setErrors] = useState<Errors>({});
  const [busy, setBusy] = useState(false);

  async function save() {
    const input = scopeInput(value);
    const parsed = scopeInputSchema.safeParse(input);
    if (!parsed.success) {
      setErrors(formErrors(parsed.error));
      return;
    }
    setBusy(true);
    try {
      if (scope) await call('scopes.update', { id: scope.id, ...parsed.data, termStart: parsed.data.termStart ?? null });
      else await call('scopes.create', parsed.data);
      toast.success(t('registers.scopeSaved', { name: parsed.data.name }));
      onSaved();
    } catch (err) {
      placeError(err, setErrors);
    } finally {
      setBusy(false);
    }
  }

  return (
    <FormDialog id="scope-form" title={scope ? t('registers.scopeEditTitle', { name: scope.name }) : t('registers.scopeAddTitle')} busy={busy}
      submitLabel={t('registers.save')} onClose={onClose} onSubmit={() => void save()} error={errors._}>
      <p className="section-lead">{t('registers.scopeForm.lead')}</p>
      <ScopeFieldset prefix="scope" value={value} onChange={setValue} errors={errors} lockedPerType={!!scope?.used} />
    </FormDialog>
  );
}

export function RegisterFormDialog({ register, scopes, onClose, onSaved }: {
  register: RegisterAdminView | null; scopes: ScopeView[]; onClose(): void; onSaved(): void;
}) {
  const { t } = useTranslation();
  const labels = useLabels();
  const [name, setName] = useState(register?.name ?? '');
  const [levels, setLevels] = useState<Secrecy[]>(register?.secrecy ?? ['thuong']);
  const [scopeChoice, setScopeChoice] = useState<string>(register ? String(register.scopeId) : 'new');
  const [scope, setScope] = useState<ScopeFields>(() => scopeFieldsOf(null));
  const [active, setActive] = useState(register?.active ?? true);
  const [errors, setErrors] = useState<Errors>({});
  const [busy, setBusy] = useState(false);

  const toggle = (s: Secrecy) => setLevels((l) => (l.includes(s) ? l.filter((x) => x !== s) : SECRECY_LEVELS.filter((x) => x === s || l.includes(x))));

  async function save() {
    setBusy(true);
    setErrors({});
    try {
      if (register) {
        await call('registers.update', { id: register.id, name, secrecy: levels, scopeId: Number(scopeChoice), active });
      } else {
        const input = { name, secrecy: levels, ...(scopeChoice === 'new' ? { scope: scopeInput(scope) } : { scopeId: Number(scopeChoice) }) };
        const parsed = registerCreateSchema.safeParse(input);
        if (!parsed.success) {
          setErrors(formErrors(parsed.error));
          return;
        }
        await call('registers.create', parsed.data);
      }
      toast.success(t('registers.saved', { name }));
      onSaved();
    } catch (err) {
      placeError(err, setErrors);
    } finally {
      setBusy(false);
    }
  }

  return (
    <FormDialog id="register-admin-form" title={register ? t('registers.editTitle', { name: register.name }) : t('registers.addTitle')} busy={busy}
      submitLabel={t('registers.save')} onClose={onClose} onSubmit={() => void save()} error={errors._}>
      <Field id="register-name" label={t('registers.form.name')} error={errors.name} required hint={t('registers.form.nameHint')}>
        <input className="input" {...controlProps('register-name', errors.name, true, true)} value={name} maxLength={200} onChange={(e) => setName(e.target.value)} />
      </Field>
      <fieldset className={errors.secrecy ? 'choice-group has-error' : 'choice-group'} aria-describedby="register-levels-hint">
        <legend>{t('registers.form.levels')}<span className="required" aria-hidden="true"> *</span></legend>
        <div className="checkbox-row">
          {SECRECY_LEVELS.map((s) => (
            <label key={s} className="checkbox">
              <input type="checkbox" checked={levels.includes(s)} onChange={() => toggle(s)} /> {labels.secrecy(s)}
            </label>
          ))}
        </div>
        <div id="register-levels-hint" className="field-hint">{t('registers.form.levelsHint')}</div>
        {errors.secrecy && <div className="field-error">{errors.secrecy}</div>}
      </fieldset>
      <Field id="register-scope" label={t('registers.form.scope')} error={errors.scopeId}
        hint={register && register.entries > 0 ? t('registers.form.scopeLocked') : t('registers.form.scopeHint')}>
        <select className="input" {...controlProps('register-scope', errors.scopeId, true)} value={scopeChoice}
          disabled={!!register && register.entries > 0} onChange={(e) => setScopeChoice(e.target.value)}>
          {!register && <option value="new">{t('registers.form.newScope')}</option>}
          {scopes.map((s) => <option key={s.id} value={s.id}>{s.name}</option>)}
        </select>
      </Field>
      {!register && scopeChoice === 'new' && (
        <fieldset className="form-section">
          <legend>{t('registers.form.newScopeLegend')}</legend>
          <ScopeFieldset prefix="new-scope" value={scope} onChange={setScope} errors={errors} lockedPerType={false} />
        </fieldset>
      )}
      {register && (
        <label className="checkbox">
          <input type="checkbox" checked={active} onChange={(e) => setActive(e.target.checked)} /> {t('registers.form.active')}
        </label>
      )}
      {errors.active && <div className="field-error">{errors.active}</div>}
    </FormDialog>
  );
}

/** What a closing gives back: the frozen PDF (one-use ticket), its SHA-256 and row count. */
export interface FrozenBook { fileName: string; ticket: string; url: string; pdfSha256: string; rows: number }

/**
 * Khóa sổ năm, for any register: the year, what closing forbids, and the confirmation. The core
 * composes the year's PDF, records its SHA-256 and row count, and hands it back to print and sign.
 */
export function CloseYearDialog({ name, closedYears, thisYear, warning, close, onClose, onClosed }: {
  name: string; closedYears: readonly number[]; thisYear: number; warning(year: number): string;
  close(year: number): Promise<FrozenBook>; onClose(): void; onClosed(): void;
}) {
  const { t } = useTranslation();
  const years = Array.from({ length: 6 }, (_, i) => thisYear - i).filter((y) => y >= MIN_YEAR && !closedYears.includes(y));
  const [year, setYear] = useState<number>(years.find((y) => y < thisYear) ?? years[0] ?? thisYear);
  const [errors, setErrors] = useState<Errors>({});
  const [busy, setBusy] = useState(false);

  async function confirm() {
    setBusy(true);
    try {
      const out = await close(year);
      toast.success(t('registers.frozen', { name, year, rows: out.rows, hash: out.pdfSha256.slice(0, 16) }));
      onClosed();
      // The year is closed whatever becomes of the download; a failed delivery says so on its own.
      try {
        await deliverTicket(out, 'application/pdf');
      } catch (err) {
        toast.error(errorText(asDeskError(err)));
      }
    } catch (err) {
      placeError(err, setErrors);
    } finally {
      setBusy(false);
    }
  }

  return (
    <FormDialog id="close-year-form" title={t('registers.closeTitle', { name })} busy={busy}
      submitLabel={t('registers.closeSubmit', { year })} onClose={onClose} onSubmit={() => void confirm()} error={errors._}>
      <Field id="close-year" label={t('registers.closeYearLabel')} error={errors.year}>
        <select className="input" {...controlProps('close-year', errors.year)} value={year} onChange={(e) => setYear(Number(e.target.value))}>
          {years.map((y) => <option key={y} value={y}>{y}</option>)}
        </select>
      </Field>
      <div className="notice notice-warning" role="note">
        <p>{warning(year)}</p>
        <p>{t('registers.frozenNote')}</p>
        {year === thisYear && <p className="strong">{t('registers.closeThisYear')}</p>}
      </div>
    </FormDialog>
  );
}
