// "Phân công vào sổ văn bản" (quản trị): which roles register incoming documents. Separation of
// duties: by default the văn thư only; the Quản trị manages people and devices. Saving is audited
// in the core; the administrator's own rights follow at once, everyone else's at their next sign-in.
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { ROLES, type Role } from '../../../../common/domain';
import { Icon, Spinner } from '../../components/Icon';
import { errorFields, errorText } from '../../i18n/errors';
import { useLabels } from '../../i18n/labels';
import { asDeskError, call, isGloballyHandled } from '../../ipc/call';
import { useApp } from '../../stores/app';
import { toast } from '../../stores/toasts';

export function RegisterPolicy() {
  const { t } = useTranslation();
  const labels = useLabels();
  const readOnly = useApp((s) => !!s.readOnlyReason);
  const [saved, setSaved] = useState<Role[] | null>(null);
  const [roles, setRoles] = useState<Role[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    call('policy.get', {}).then(
      (p) => {
        setSaved(p.registerRoles);
        setRoles(p.registerRoles);
      },
      (err: unknown) => setError(errorText(asDeskError(err))),
    );
  }, []);

  const toggle = (r: Role, on: boolean) => {
    setError(null);
    setRoles((rs) => ROLES.filter((x) => (x === r ? on : rs.includes(x))));
  };
  const changed = saved !== null && (roles.length !== saved.length || roles.some((r) => !saved.includes(r)));

  async function save() {
    if (roles.length === 0) {
      setError(t('policy.noneChosen'));
      return;
    }
    setBusy(true);
    try {
      const res = await call('policy.setRegisterRoles', { registerRoles: roles });
      setSaved(res.registerRoles);
      setRoles(res.registerRoles);
      useApp.setState({ session: res.session });
      toast.success(t('policy.saved'));
    } catch (err) {
      const de = asDeskError(err);
      if (!isGloballyHandled(de)) setError(errorFields(de).registerRoles ?? errorText(de));
    } finally {
      setBusy(false);
    }
  }

  return (
    <section className="policy-section" aria-labelledby="policy-title">
      <h2 id="policy-title">{t('policy.title')}</h2>
      <p className="section-lead">{t('policy.lead')}</p>
      {saved === null && !error && <p className="muted"><Spinner /> {t('app.loading')}</p>}
      {saved !== null && (
        <fieldset className="policy-roles" disabled={busy || readOnly} aria-describedby={error ? 'policy-error' : undefined}>
          <legend>{t('policy.legend')}</legend>
          {ROLES.map((r) => (
            <label key={r} className="check-option">
              <input type="checkbox" checked={roles.includes(r)} onChange={(e) => toggle(r, e.target.checked)} />
              {labels.role(r)}
            </label>
          ))}
          <button type="button" className="button primary" onClick={() => void save()} disabled={!changed || busy}>
            {busy ? <Spinner /> : <Icon name="check" />} {t('policy.save')}
          </button>
        </fieldset>
      )}
      {error && <div id="policy-error" className="form-error" role="alert">{error}</div>}
    </section>
  );
}
