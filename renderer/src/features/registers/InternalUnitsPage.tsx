// "Đơn vị trong cơ quan": the agency's own units (phòng, ban), one level under another if need be.
// Incoming documents are addressed and handed over to them. A unit is never deleted, only stopped,
// so older hand-overs keep their recipient.
import { useCallback, useEffect, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { InternalUnitView } from '../../../../common/contract';
import { internalUnitAddSchema } from '../../../../common/schemas';
import { Dialog } from '../../components/Dialog';
import { controlProps, Field } from '../../components/Field';
import { Icon, Spinner } from '../../components/Icon';
import { asDeskError, call, isGloballyHandled, reportError } from '../../ipc/call';
import { useApp, useIsAdmin } from '../../stores/app';
import { toast } from '../../stores/toasts';
import { errorFields, errorText, formErrors } from '../../i18n/errors';

export function InternalUnitsPage() {
  const { t } = useTranslation();
  const [units, setUnits] = useState<InternalUnitView[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [editing, setEditing] = useState<InternalUnitView | 'new' | null>(null);
  const readOnly = useApp((s) => !!s.readOnlyReason);
  const configure = useIsAdmin() && !readOnly;

  const load = useCallback(() => {
    call('internalUnits.list', {}).then(
      (list) => {
        setUnits(list);
        setError(null);
      },
      (err: unknown) => setError(errorText(asDeskError(err))),
    );
  }, []);
  useEffect(load, [load]);

  const nameOf = (id: number | null) => (id === null ? '' : units?.find((u) => u.id === id)?.name ?? '');

  async function setActive(u: InternalUnitView, active: boolean) {
    try {
      await call('internalUnits.update', { id: u.id, active });
      toast.success(t(active ? 'internalUnits.restarted' : 'internalUnits.stopped', { name: u.name }));
      load();
    } catch (err) {
      reportError(err);
    }
  }

  return (
    <section className="page admin-page" aria-labelledby="internal-units-title">
      <div className="page-header">
        <h1 id="internal-units-title">{t('internalUnits.title')}</h1>
        <span className="page-count">{units ? t('internalUnits.count', { count: units.filter((u) => u.active).length }) : ''}</span>
        {configure && (
          <div className="page-actions">
            <button type="button" className="button primary" onClick={() => setEditing('new')}>
              <Icon name="plus" /> {t('internalUnits.add')}
            </button>
          </div>
        )}
      </div>
      <div className="admin-body">
        <p className="section-lead">{t('internalUnits.lead')}</p>
        {error && <div className="form-error" role="alert">{error}</div>}
        {!units && !error && <p className="muted"><Spinner /> {t('app.loading')}</p>}
        {units && units.length === 0 && <p className="muted">{t('internalUnits.empty')}</p>}
        {units && units.length > 0 && (
          <table className="data-table">
            <thead>
              <tr>
                <th>{t('internalUnits.col.name')}</th>
                <th>{t('internalUnits.col.parent')}</th>
                <th aria-label={t('registers.col.actions')} />
              </tr>
            </thead>
            <tbody>
              {units.map((u) => (
                <tr key={u.id} className={u.active ? undefined : 'is-inactive'}>
                  <td>
                    <span className="strong">{u.name}</span>
                    {!u.active && <span className="cap cap-no">{t('internalUnits.inactive')}</span>}
                  </td>
                  <td>{nameOf(u.parentId) || <span className="muted">—</span>}</td>
                  <td className="actions-cell">
                    {configure && (
                      <>
                        <button type="button" className="button" onClick={() => setEditing(u)}>{t('registers.edit')}</button>{' '}
                        <button type="button" className="button" onClick={() => void setActive(u, !u.active)}>
                          {u.active ? t('internalUnits.stop') : t('internalUnits.restart')}
                        </button>
                      </>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </div>
      {units && editing && (
        <UnitDialog unit={editing === 'new' ? null : editing} units={units} onClose={() => setEditing(null)} onSaved={(name) => {
          setEditing(null);
          toast.success(t('internalUnits.saved', { name }));
          load();
        }} />
      )}
    </section>
  );
}

function UnitDialog({ unit, units, onClose, onSaved }: { unit: InternalUnitView | null; units: InternalUnitView[]; onClose(): void; onSaved(name: string): void }) {
  const { t } = useTranslation();
  const [name, setName] = useState(unit?.name ?? '');
  const [parent, setParent] = useState(unit?.parentId === null || unit === null ? '' : String(unit.parentId));
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);

  async function submit(e: FormEvent) {
    e.preventDefault();
    const parentId = parent ? Number(parent) : undefined;
    const parsed = internalUnitAddSchema.safeParse({ name, ...(parentId !== undefined ? { parentId } : {}) });
    if (!parsed.success) {
      setErrors(formErrors(parsed.error));
      return;
    }
    setBusy(true);
    try {
      if (unit) await call('internalUnits.update', { id: unit.id, name: parsed.data.name, parentId: parentId ?? null });
      else await call('internalUnits.add', parsed.data);
      onSaved(parsed.data.name);
    } catch (err) {
      const de = asDeskError(err);
      if (de.fields) setErrors(errorFields(de));
      else if (!isGloballyHandled(de)) setErrors({ _: errorText(de) });
    } finally {
      setBusy(false);
    }
  }

  return (
    <Dialog open title={unit ? t('internalUnits.editTitle', { name: unit.name }) : t('internalUnits.addTitle')} onClose={onClose} className="small-dialog"
      footer={
        <>
          <span className="footer-status" />
          <button type="button" className="button" onClick={onClose}>{t('common.cancel')}</button>
          <button type="submit" form="unit-form" className="button primary" disabled={busy}>{busy && <Spinner />} {t('registers.save')}</button>
        </>
      }>
      <form id="unit-form" className="form-stack" onSubmit={(e) => void submit(e)} noValidate>
        <Field id="unit-form-name" label={t('internalUnits.col.name')} error={errors.name} required>
          <input className="input" {...controlProps('unit-form-name', errors.name, false, true)} value={name} maxLength={200} onChange={(e) => setName(e.target.value)} />
        </Field>
        <Field id="unit-form-parent" label={t('internalUnits.col.parent')} error={errors.parentId}>
          <select className="input" {...controlProps('unit-form-parent', errors.parentId)} value={parent} onChange={(e) => setParent(e.target.value)}>
            <option value="">{t('internalUnits.noParent')}</option>
            {units.filter((u) => u.active && u.id !== unit?.id).map((u) => <option key={u.id} value={u.id}>{u.name}</option>)}
          </select>
        </Field>
        {errors._ && <div className="form-error" role="alert">{errors._}</div>}
      </form>
    </Dialog>
  );
}
