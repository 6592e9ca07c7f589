// First run: the workstation's unit, its numbering rules and its own units (phòng, ban), the first
// user, and that user's token: the workstation's data is encrypted from the start with a data key
// only this token (and later the tokens an administrator binds) can unwrap. The PIN is read once at
// submit and never kept.
import { useCallback, useRef, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { ROLES, SECRECY_LEVELS, type NumberingPreset, type Role, type Secrecy } from '../../../../common/domain';
import { checkIdentifierCode } from '../../../../common/identifierCode';
import { setupInputSchema } from '../../../../common/schemas';
import { controlProps, Field } from '../../components/Field';
import { Icon, Spinner } from '../../components/Icon';
import { currentLanguage } from '../../i18n';
import { errorFields, formErrors, wordMessage } from '../../i18n/errors';
import { useLabels } from '../../i18n/labels';
import { asDeskError, call, isGloballyHandled } from '../../ipc/call';
import { useApp } from '../../stores/app';
import { LanguageSwitch } from '../session/LanguageSwitch';
import { PinField, type PinHandle } from '../tokens/PinField';
import { placeTokenError } from '../tokens/tokenErrors';
import { TokenPicker } from '../tokens/TokenPicker';
import { tokenKey, tokenRef } from '../tokens/tokenText';
import { useTokenDirectory } from '../tokens/useTokenDirectory';

interface Form {
  unitName: string;
  unitCode: string;
  preset: NumberingPreset | '';
  fullName: string;
  position: string;
  role: Role;
  clearance: Secrecy | '';
  /** The agency's own units, one per line (optional; more under Quản trị later). */
  internalUnits: string;
}

const PRESETS: NumberingPreset[] = ['state', 'party'];

export function SetupScreen() {
  const { t } = useTranslation();
  const labels = useLabels();
  const unlocked = useApp((s) => s.unlocked);
  const boot = useApp((s) => s.boot);
  const readOnly = useApp((s) => !!s.readOnlyReason);
  const [form, setForm] = useState<Form>({
    unitName: '', unitCode: '', preset: '', fullName: '', position: '', role: 'van_thu', clearance: '', internalUnits: '',
  });
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [codeTouched, setCodeTouched] = useState(false);
  const [busy, setBusy] = useState(false);
  const [formError, setFormError] = useState<string | null>(null);
  const dir = useTokenDirectory();
  const [selected, setSelected] = useState<string | null>(null);
  const select = useCallback((key: string | null) => setSelected(key), []);
  const pin = useRef<PinHandle>(null);
  const token = dir.directory?.tokens.find((x) => tokenKey(x) === selected) ?? null;

  const set = <K extends keyof Form>(k: K, v: Form[K]) => setForm((f) => ({ ...f, [k]: v }));
  const code = checkIdentifierCode(form.unitCode);
  // The identifier code is checked as it is typed, once the field has been visited.
  const codeError = codeTouched && !code.ok ? (code.key ? wordMessage({ key: code.key, ...(code.params ? { params: code.params } : {}) }) : code.reason) : errors['unit.code'];

  async function submit(e: FormEvent) {
    e.preventDefault();
    setFormError(null);
    setCodeTouched(true);
    const input = {
      unit: { name: form.unitName, code: form.unitCode, preset: form.preset },
      admin: { fullName: form.fullName, position: form.position, role: form.role, clearance: form.clearance },
      internalUnits: form.internalUnits.split('\n').map((l) => l.trim()).filter(Boolean),
    };
    const typed = pin.current?.take() ?? '';
    const parsed = setupInputSchema.safeParse(input);
    const found = parsed.success ? {} : formErrors(parsed.error);
    if (!form.clearance) found['admin.clearance'] = t('setup.chooseClearance');
    if (!token) found.token = t('tokens.choose');
    else if (!token.pinPad && typed.length === 0) found.pin = t('pin.required');
    if (!parsed.success || !token || Object.keys(found).length > 0) {
      setErrors(found);
      focusFirst(found);
      return;
    }
    setErrors({});
    setBusy(true);
    try {
      const session = await call('setup.create', { ...parsed.data, token: tokenRef(token), ...(token.pinPad ? {} : { pin: typed }) });
      // The first person set the workstation up in the language shown: it becomes theirs.
      useApp.setState((s) => ({ languageChoice: s.languageChoice ?? currentLanguage() }));
      await unlocked(session, tokenRef(token));
    } catch (err) {
      const de = asDeskError(err);
      if (de.code === 'VALIDATION' && de.fields && !de.fields.pin) {
        const fields = errorFields(de);
        setErrors(fields);
        focusFirst(fields);
      } else if (de.code === 'SETUP_DONE') {
        await boot();
      } else if (!isGloballyHandled(de)) {
        const placed = placeTokenError(de);
        if (placed.place === 'form') setFormError(placed.text);
        else setErrors({ [placed.place]: placed.text });
        if (placed.place === 'pin') pin.current?.focus();
        if (de.code === 'TOKEN_ABSENT') dir.refresh();
      }
    } finally {
      setBusy(false);
    }
  }

  return (
    <main className="setup">
      <form className="card setup-card" onSubmit={(e) => void submit(e)} noValidate aria-labelledby="setup-title">
        <div className="card-brand">
          <span className="brand-mark" aria-hidden="true">SD</span> SecureDesk
          <LanguageSwitch />
        </div>
        <h1 id="setup-title">{t('setup.title')}</h1>
        <p className="lead">{t('setup.lead')}</p>

        <fieldset className="form-section">
          <legend>{t('setup.unitSection')}</legend>
          <Field id="unit-name" label={t('setup.unitName')} error={errors['unit.name']} required>
            <input className="input" {...controlProps('unit-name', errors['unit.name'], false, true)} value={form.unitName}
              onChange={(e) => set('unitName', e.target.value)} autoComplete="off" />
          </Field>
          <Field
            className="field-narrow"
            id="unit-code"
            label={t('setup.unitCode')}
            error={codeError}
            required
            hint={code.ok ? <span className="ok-note"><Icon name="check" /> {t('setup.codeValid', { code: code.code })}</span> : t('setup.unitCodeHint')}
          >
            <input className="input mono" {...controlProps('unit-code', codeError, true, true)} value={form.unitCode}
              onChange={(e) => set('unitCode', e.target.value)} onBlur={() => form.unitCode && setCodeTouched(true)} autoComplete="off" spellCheck={false} />
          </Field>
          <fieldset className={errors['unit.preset'] ? 'choice-group has-error' : 'choice-group'} aria-describedby={errors['unit.preset'] ? 'preset-error' : undefined}>
            <legend>{t('setup.preset')}<span className="required" aria-hidden="true"> *</span></legend>
            <div className="choice-cards">
              {PRESETS.map((p) => (
                <label key={p} className={form.preset === p ? 'choice-card is-checked' : 'choice-card'}>
                  <input type="radio" name="preset" value={p} checked={form.preset === p} onChange={() => set('preset', p)}
                    id={`preset-${p}`} />
                  <span className="choice-body">
                    <span className="choice-title">{t(`setup.presets.${p}.title`)}</span>
                    <span className="choice-example">{t(`setup.presets.${p}.example`)}</span>
                    <span className="choice-text">{t(`setup.presets.${p}.text`)}</span>
                  </span>
                </label>
              ))}
            </div>
            {errors['unit.preset'] && <div id="preset-error" className="field-error">{errors['unit.preset']}</div>}
          </fieldset>
          <Field id="internal-units" label={t('setup.internalUnits')} error={internalUnitsError(errors)} hint={t('setup.internalUnitsHint')}>
            <textarea className="input" rows={3} {...controlProps('internal-units', internalUnitsError(errors), true)} value={form.internalUnits}
              placeholder={t('setup.internalUnitsPlaceholder')} onChange={(e) => set('internalUnits', e.target.value)} />
          </Field>
        </fieldset>

        <fieldset className="form-section">
          <legend>{t('setup.userSection')}</legend>
          <div className="form-grid two">
            <Field id="admin-name" label={t('setup.fullName')} error={errors['admin.fullName']} required>
              <input className="input" {...controlProps('admin-name', errors['admin.fullName'], false, true)} value={form.fullName}
                onChange={(e) => set('fullName', e.target.value)} autoComplete="off" />
            </Field>
            <Field id="admin-position" label={t('setup.position')} error={errors['admin.position']} required>
              <input className="input" {...controlProps('admin-position', errors['admin.position'], false, true)} value={form.position}
                onChange={(e) => set('position', e.target.value)} autoComplete="off" />
            </Field>
            <Field id="admin-role" label={t('setup.role')} error={errors['admin.role']} required>
              <select className="input" {...controlProps('admin-role', errors['admin.role'], false, true)} value={form.role}
                onChange={(e) => set('role', e.target.value as Role)}>
                {ROLES.map((r) => <option key={r} value={r}>{labels.role(r)}</option>)}
              </select>
            </Field>
            <Field id="admin-clearance" label={t('setup.clearance')} error={errors['admin.clearance']} required hint={t('setup.clearanceHint')}>
              <select className="input" {...controlProps('admin-clearance', errors['admin.clearance'], true, true)} value={form.clearance}
                onChange={(e) => set('clearance', e.target.value as Secrecy)}>
                <option value="">{t('common.choose')}</option>
                {SECRECY_LEVELS.map((s) => <option key={s} value={s}>{labels.secrecy(s)}</option>)}
              </select>
            </Field>
          </div>
        </fieldset>

        <fieldset className="form-section">
          <legend>{t('setup.tokenSection')}</legend>
          <p className="section-lead">{t('setup.tokenLead')}</p>
          <TokenPicker dir={dir} selected={selected} onSelect={select} name="setup-token" legend={t('setup.token')}
            error={errors.token} showCertificates disabled={busy} />
          <div className="field-narrow">
            <PinField id="setup-pin" handle={pin} error={errors.pin} pinPad={token?.pinPad ?? false} disabled={busy} />
          </div>
        </fieldset>

        {formError && <div className="form-error" role="alert">{formError}</div>}
        <div className="form-actions">
          {busy && <span className="footer-status" role="status">{t('setup.creating')}</span>}
          <button type="submit" className="button primary" disabled={busy || readOnly}>
            {busy && <Spinner />} {t('setup.submit')}
          </button>
        </div>
      </form>
    </main>
  );
}

/** "internalUnits.2" -> the message for the list as a whole. */
const internalUnitsError = (errors: Record<string, string>): string | undefined =>
  Object.entries(errors).find(([k]) => k.startsWith('internalUnits'))?.[1];

const FIELD_IDS: Record<string, string> = {
  'unit.name': 'unit-name', 'unit.code': 'unit-code', 'unit.preset': 'preset-state', internalUnits: 'internal-units',
  'admin.fullName': 'admin-name', 'admin.position': 'admin-position', 'admin.role': 'admin-role', 'admin.clearance': 'admin-clearance',
  token: 'setup-token-first', pin: 'setup-pin',
};

function focusFirst(errors: Record<string, string>): void {
  const order = Object.keys(FIELD_IDS);
  const first = order.find((k) => k in errors);
  if (!first) return;
  requestAnimationFrame(() => {
    const el = first === 'token' ? document.querySelector<HTMLElement>('input[name="setup-token"]:not(:disabled)') : document.getElementById(FIELD_IDS[first]!);
    el?.focus();
  });
}
