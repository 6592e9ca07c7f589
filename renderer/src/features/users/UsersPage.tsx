// "Người dùng" (quản trị): the people of this workstation with the certificates bound to them,
// adding a person, and "Gắn thiết bị": binding a token to a person so it opens the profile
// (certificates are public: the token's PIN is not needed to bind it); "Gỡ" removes one certificate
// (audited). The core decides what may be bound (trusted, valid, fit; not above one's own clearance).
import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { BoundCertificate, UserWithCertificates } from '../../../../common/contract';
import { clearedFor, ROLES, SECRECY_LEVELS, type Role, type Secrecy } from '../../../../common/domain';
import { newUserSchema } from '../../../../common/schemas';
import { Dialog } from '../../components/Dialog';
import { controlProps, Field } from '../../components/Field';
import { Icon, Spinner } from '../../components/Icon';
import { SecrecyBadge } from '../../components/Secrecy';
import { errorFields, errorText, formErrors } from '../../i18n/errors';
import { useLabels } from '../../i18n/labels';
import { asDeskError, call, isGloballyHandled } from '../../ipc/call';
import { formatInstantDateVn } from '../../lib/format';
import { useApp } from '../../stores/app';
import { toast } from '../../stores/toasts';
import { placeTokenError } from '../tokens/tokenErrors';
import { TokenPicker } from '../tokens/TokenPicker';
import { commonNameOf, tokenKey, tokenRef } from '../tokens/tokenText';
import { useTokenDirectory } from '../tokens/useTokenDirectory';
import { RegisterPolicy } from './RegisterPolicy';
import { SignatureImageDialog } from './SignatureImageDialog';

export function UsersPage() {
  const { t } = useTranslation();
  const labels = useLabels();
  const [users, setUsers] = useState<UserWithCertificates[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [adding, setAdding] = useState(false);
  const [binding, setBinding] = useState<UserWithCertificates | null>(null);
  const [unbinding, setUnbinding] = useState<{ user: UserWithCertificates; cert: BoundCertificate } | null>(null);
  const [imaging, setImaging] = useState<UserWithCertificates | null>(null);
  const readOnly = useApp((s) => !!s.readOnlyReason);

  const load = useCallback(() => {
    call('users.list', {}).then(
      (list) => {
        setUsers(list);
        setError(null);
      },
      (err: unknown) => setError(errorText(asDeskError(err))),
    );
  }, []);
  useEffect(load, [load]);

  return (
    <section className="page admin-page" aria-labelledby="users-title">
      <div className="page-header">
        <h1 id="users-title">{t('users.title')}</h1>
        <span className="page-count">{users ? t('users.count', { count: users.length }) : ''}</span>
        <div className="page-actions">
          <button type="button" className="button primary" onClick={() => setAdding(true)} disabled={readOnly}>
            <Icon name="plus" /> {t('users.add')}
          </button>
        </div>
      </div>
      <div className="admin-body">
        <p className="section-lead">{t('users.lead')}</p>
        {error && <div className="form-error" role="alert">{error}</div>}
        {!users && !error && <p className="muted"><Spinner /> {t('app.loading')}</p>}
        {users && (
          <table className="data-table users-table">
            <thead>
              <tr>
                <th>{t('users.col.name')}</th>
                <th>{t('users.col.role')}</th>
                <th>{t('users.col.clearance')}</th>
                <th>{t('users.col.certificates')}</th>
                <th aria-label={t('users.col.actions')} />
              </tr>
            </thead>
            <tbody>
              {users.map((u) => (
                <tr key={u.id}>
                  <td>
                    <span className="strong">{u.fullName}</span>
                    <span className="block muted">{u.position}</span>
                  </td>
                  <td>{labels.role(u.role)}</td>
                  <td><SecrecyBadge level={u.clearance} /></td>
                  <td>
                    {u.certificates.length === 0 ? (
                      <span className="cap cap-bad"><Icon name="alert" /> {t('users.noToken')}</span>
                    ) : (
                      <ul className="bound-list">
                        {u.certificates.map((c) => (
                          <li key={c.fingerprint}>
                            <div className="bound-name">
                              <span className="strong">{commonNameOf(c.subject)}</span>
                              {c.canUnlock ? (
                                <span className="cap cap-ok"><Icon name="check" /> {t('tokens.cap.unlock')}</span>
                              ) : (
                                <span className="cap cap-no">{t('tokens.cap.noUnlock')}</span>
                              )}
                              <button type="button" className="button subtle" title={t('users.unbindHint')} disabled={readOnly}
                                onClick={() => setUnbinding({ user: u, cert: c })}>
                                {t('users.unbind')}
                              </button>
                            </div>
                            <div className="muted small">
                              {t('users.certLine', { serial: c.serial, until: formatInstantDateVn(c.notAfter), issuer: commonNameOf(c.issuer) })}
                            </div>
                          </li>
                        ))}
                      </ul>
                    )}
                  </td>
                  <td className="actions-cell">
                    <button type="button" className="button" onClick={() => setBinding(u)} disabled={readOnly}>
                      <Icon name="link" /> {t('users.bind')}
                    </button>
                    <button type="button" className="button" onClick={() => setImaging(u)} disabled={readOnly} aria-label={t('users.signatureImage.open', { name: u.fullName })}>
                      <Icon name="pen" /> {t('users.signatureImage.button')}
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        <RegisterPolicy />
      </div>
      <AddUserDialog open={adding} onClose={() => setAdding(false)} onAdded={(name) => {
        setAdding(false);
        toast.success(t('users.added', { name }));
        load();
      }} />
      {binding && (
        <BindTokenDialog user={binding} onClose={() => setBinding(null)} onBound={(label) => {
          toast.success(t('users.bound', { label, name: binding.fullName }));
          setBinding(null);
          load();
        }} />
      )}
      {imaging && <SignatureImageDialog userId={imaging.id} name={imaging.fullName} onClose={() => setImaging(null)} />}
      {unbinding && (
        <UnbindDialog user={unbinding.user} cert={unbinding.cert} onClose={() => setUnbinding(null)} onDone={() => {
          toast.success(t('users.unbound', { cert: commonNameOf(unbinding.cert.subject), name: unbinding.user.fullName }));
          setUnbinding(null);
          load();
        }} />
      )}
    </section>
  );
}

interface NewUser {
  fullName: string;
  position: string;
  role: Role;
  clearance: Secrecy | '';
}
const EMPTY: NewUser = { fullName: '', position: '', role: 'chuyen_vien', clearance: '' };

function AddUserDialog({ open, onClose, onAdded }: { open: boolean; onClose(): void; onAdded(name: string): void }) {
  const { t } = useTranslation();
  const labels = useLabels();
  const own = useApp((s) => s.session?.user.clearance ?? 'thuong');
  const [form, setForm] = useState<NewUser>(EMPTY);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);
  const set = <K extends keyof NewUser>(k: K, v: NewUser[K]) => setForm((f) => ({ ...f, [k]: v }));

  const close = () => {
    setForm(EMPTY);
    setErrors({});
    onClose();
  };

  async function submit(e: FormEvent) {
    e.preventDefault();
    const parsed = newUserSchema.safeParse(form);
    const found = parsed.success ? {} : formErrors(parsed.error);
    if (!form.clearance) found.clearance = t('setup.chooseClearance');
    if (!parsed.success || Object.keys(found).length > 0) {
      setErrors(found);
      return;
    }
    setBusy(true);
    try {
      const added = await call('users.add', parsed.data);
      setForm(EMPTY);
      setErrors({});
      onAdded(added.fullName);
    } catch (err) {
      const de = asDeskError(err);
      if (de.fields) setErrors(errorFields(de));
      else if (!isGloballyHandled(de)) setErrors({ _: errorText(de) });
    } finally {
      setBusy(false);
    }
  }

  return (
    <Dialog open={open} title={t('users.addTitle')} onClose={close} className="small-dialog"
      footer={
        <>
          <span className="footer-status" />
          <button type="button" className="button" onClick={close}>{t('common.cancel')}</button>
          <button type="submit" form="add-user-form" className="button primary" disabled={busy}>
            {busy && <Spinner />} {t('users.addSubmit')}
          </button>
        </>
      }>
      <form id="add-user-form" className="form-grid two" onSubmit={(e) => void submit(e)} noValidate>
        <Field id="user-name" label={t('setup.fullName')} error={errors.fullName} required>
          <input className="input" {...controlProps('user-name', errors.fullName, false, true)} value={form.fullName}
            onChange={(e) => set('fullName', e.target.value)} autoComplete="off" />
        </Field>
        <Field id="user-position" label={t('setup.position')} error={errors.position} required>
          <input className="input" {...controlProps('user-position', errors.position, false, true)} value={form.position}
            onChange={(e) => set('position', e.target.value)} autoComplete="off" />
        </Field>
        <Field id="user-role" label={t('setup.role')} error={errors.role} required>
          <select className="input" {...controlProps('user-role', errors.role, false, true)} value={form.role}
            onChange={(e) => set('role', e.target.value as Role)}>
            {ROLES.map((r) => <option key={r} value={r}>{labels.role(r)}</option>)}
          </select>
        </Field>
        <Field id="user-clearance" label={t('setup.clearance')} error={errors.clearance} required hint={t('users.clearanceHint')}>
          <select className="input" {...controlProps('user-clearance', errors.clearance, true, true)} value={form.clearance}
            onChange={(e) => set('clearance', e.target.value as Secrecy)}>
            <option value="">{t('common.choose')}</option>
            {SECRECY_LEVELS.filter((s) => clearedFor(own, s)).map((s) => <option key={s} value={s}>{labels.secrecy(s)}</option>)}
          </select>
        </Field>
        {errors._ && <div className="form-error span-2" role="alert">{errors._}</div>}
      </form>
    </Dialog>
  );
}

function BindTokenDialog({ user, onClose, onBound }: { user: UserWithCertificates; onClose(): void; onBound(label: string): void }) {
  const { t } = useTranslation();
  const dir = useTokenDirectory();
  const [selected, setSelected] = useState<string | null>(null);
  const select = useCallback((key: string | null) => setSelected(key), []);
  const [error, setError] = useState<{ token?: string; form?: string }>({});
  const [busy, setBusy] = useState(false);
  const token = dir.directory?.tokens.find((x) => tokenKey(x) === selected) ?? null;

  async function submit(e: FormEvent) {
    e.preventDefault();
    if (!token) {
      setError({ token: t('tokens.choose') });
      return;
    }
    setBusy(true);
    setError({});
    try {
      await call('users.bindToken', { userId: user.id, token: tokenRef(token) });
      onBound(token.label || token.serial);
    } catch (err) {
      const de = asDeskError(err);
      if (isGloballyHandled(de)) return;
      const placed = placeTokenError(de);
      setError(placed.place === 'token' ? { token: placed.text } : { form: placed.text });
    } finally {
      setBusy(false);
    }
  }

  return (
    <Dialog open title={t('users.bindTitle', { name: user.fullName })} onClose={onClose} className="bind-dialog"
      footer={
        <>
          <span className="footer-status">{busy ? t('users.binding') : ''}</span>
          <button type="button" className="button" onClick={onClose}>{t('common.cancel')}</button>
          <button type="submit" form="bind-form" className="button primary" disabled={busy || !token}>
            {busy ? <Spinner /> : <Icon name="link" />} {t('users.bindSubmit')}
          </button>
        </>
      }>
      <form id="bind-form" className="bind-form" onSubmit={(e) => void submit(e)} noValidate>
        <p className="section-lead">{t('users.bindLead', { name: user.fullName })}</p>
        <TokenPicker dir={dir} selected={selected} onSelect={select} name="bind-token" legend={t('users.bindToken')}
          error={error.token} showCertificates disabled={busy} />
        {error.form && <div className="form-error" role="alert">{error.form}</div>}
      </form>
    </Dialog>
  );
}

function UnbindDialog({ user, cert, onClose, onDone }: { user: UserWithCertificates; cert: BoundCertificate; onClose(): void; onDone(): void }) {
  const { t } = useTranslation();
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await call('users.unbindCertificate', { userId: user.id, fingerprint: cert.fingerprint });
      onDone();
    } catch (err) {
      const de = asDeskError(err);
      if (!isGloballyHandled(de)) setError(errorText(de));
    } finally {
      setBusy(false);
    }
  }

  return (
    <Dialog open title={t('users.unbindTitle', { name: user.fullName })} onClose={onClose} className="small-dialog"
      footer={
        <>
          <span className="footer-status" />
          <button type="button" className="button" onClick={onClose}>{t('common.cancel')}</button>
          <button type="submit" form="unbind-form" className="button danger-outline" disabled={busy}>
            {busy && <Spinner />} {t('users.unbindSubmit')}
          </button>
        </>
      }>
      <form id="unbind-form" onSubmit={(e) => void submit(e)} noValidate>
        <p>{t('users.unbindConfirm', { cert: commonNameOf(cert.subject), name: user.fullName })}</p>
        {error && <div className="form-error" role="alert">{error}</div>}
      </form>
    </Dialog>
  );
}
