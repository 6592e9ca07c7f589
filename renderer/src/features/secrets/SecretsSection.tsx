// "Bảo mật" in the view of a classified document: who has access by name (grants, with reason, and
// their revocation), holds, the level changes (a leader's decision, confirmed by a second authorised
// person; once confirmed, the notice to the holders and its 15-day deadline) and destruction. The
// actions offered are those the core says the person may take (secrets.rights); the core decides
// again when asked and its refusal is shown here.
import { useCallback, useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { GrantView, HoldView, IncomingDetail, LevelChangeView, SecretRights } from '../../../../common/contract';
import { formatDateVn } from '../../../../common/dates';
import { Icon } from '../../components/Icon';
import { useLabels } from '../../i18n/labels';
import { errorText } from '../../i18n/errors';
import { asDeskError, call, isGloballyHandled } from '../../ipc/call';
import { formatDateTimeVn } from '../../lib/format';
import { useApp } from '../../stores/app';
import { toast } from '../../stores/toasts';
import { DestroyDialog, GrantDialog, LevelChangeDialog, ReasonDialog } from './SecretDialogs';

/** What the core lets the signed-in person do with this record (null while asking, or when refused). */
export function useSecretRights(id: number, version: unknown): SecretRights | null {
  const [rights, setRights] = useState<SecretRights | null>(null);
  useEffect(() => {
    let live = true;
    call('secrets.rights', { incomingId: id }).then((r) => live && setRights(r), () => live && setRights(null));
    return () => {
      live = false;
    };
  }, [id, version]);
  return rights;
}

interface State { grants: GrantView[]; holds: HoldView[]; levels: LevelChangeView[] }
type Open = { kind: 'grant' } | { kind: 'revoke'; grant: GrantView } | { kind: 'hold' } | { kind: 'level' } | { kind: 'destroy' } | null;

export function SecretsSection({ doc, rights, onChanged, onDestroyed }: {
  doc: IncomingDetail; rights: SecretRights; onChanged(): void; onDestroyed(): void;
}) {
  const { t } = useTranslation();
  const labels = useLabels();
  const clearance = useApp((s) => s.session?.user.clearance ?? 'thuong');
  const [state, setState] = useState<State | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [open, setOpen] = useState<Open>(null);
  const [busy, setBusy] = useState(false);

  const load = useCallback(() => {
    Promise.all([call('grants.list', { incomingId: doc.id }), call('holds.list', { incomingId: doc.id }), call('levels.list', { incomingId: doc.id })]).then(
      ([grants, holds, levels]) => setState({ grants, holds, levels }),
      (err: unknown) => setError(errorText(asDeskError(err))),
    );
  }, [doc.id]);
  useEffect(load, [load, doc]);

  /** A quick action from the section itself: its refusal is shown in the section. */
  async function act(action: () => Promise<unknown>, done: string, docChanged = false) {
    setBusy(true);
    setError(null);
    try {
      await action();
      toast.success(done);
      if (docChanged) onChanged();
      else load();
    } catch (err) {
      const de = asDeskError(err);
      if (!isGloballyHandled(de)) setError(errorText(de));
    } finally {
      setBusy(false);
    }
  }

  /** After a dialog's action succeeded: close it, say so, read again. */
  const after = (done: string, docChanged = false) => {
    setOpen(null);
    setError(null);
    toast.success(done);
    if (docChanged) onChanged();
    else load();
  };

  const activeGrants = state?.grants.filter((g) => g.revokedAt === null) ?? [];
  const revoked = state?.grants.filter((g) => g.revokedAt !== null) ?? [];
  const openHolds = state?.holds.filter((h) => h.releasedAt === null) ?? [];
  const pending = state?.levels.find((l) => l.confirmedAt === null && l.cancelledAt === null) ?? null;
  const lastConfirmed = [...(state?.levels ?? [])].reverse().find((l) => l.confirmedAt !== null) ?? null;
  const change = (l: LevelChangeView) =>
    l.kind === 'declassify_part' ? t('secrets.level.partShort', { part: l.part })
      : t('secrets.level.fromTo', { from: labels.secrecy(l.fromLevel), to: l.kind === 'declassify' ? t('secrets.level.declassified') : labels.secrecy(l.toLevel) });

  return (
    <section className="meta-section secrets-section" aria-labelledby="secrets-title">
      <div className="meta-section-head">
        <h2 id="secrets-title" className="meta-heading"><Icon name="lock" /> {t('secrets.title')}</h2>
      </div>
      {error && <div className="form-error" role="alert">{error}</div>}

      <div className="secrets-block" aria-labelledby="secrets-grants-title">
        <div className="secrets-block-head">
          <h3 id="secrets-grants-title">{t('secrets.grants.title')}</h3>
          {rights.grant && <button type="button" className="button small" onClick={() => setOpen({ kind: 'grant' })}>{t('secrets.grants.add')}</button>}
        </div>
        <p className="muted small">{t('secrets.grants.scope')}</p>
        {state && activeGrants.length === 0 && <p className="muted small">{t('secrets.grants.none')}</p>}
        <ul className="secrets-list">
          {activeGrants.map((g) => (
            <li key={g.id} className="secrets-item">
              <div>
                <span className="strong">{g.userName}</span>
                <span className="small block">{t('secrets.grants.reasonLine', { reason: g.reason })}</span>
                <span className="muted small block">{t('secrets.grants.by', { by: g.grantedBy, time: formatDateTimeVn(g.grantedAt) })}</span>
              </div>
              {rights.grant && (
                <button type="button" className="button subtle small" disabled={busy} onClick={() => setOpen({ kind: 'revoke', grant: g })}>
                  {t('secrets.grants.revoke')}
                </button>
              )}
            </li>
          ))}
        </ul>
        {revoked.length > 0 && (
          <details className="secrets-history">
            <summary className="small">{t('secrets.grants.revokedCount', { count: revoked.length })}</summary>
            <ul className="secrets-list">
              {revoked.map((g) => (
                <li key={g.id} className="secrets-item is-past">
                  <div>
                    <span className="strong">{g.userName}</span>
                    <span className="muted small block">{t('secrets.grants.revokedLine', { by: g.revokedBy, time: formatDateTimeVn(g.revokedAt), reason: g.revokeReason })}</span>
                  </div>
                </li>
              ))}
            </ul>
          </details>
        )}
      </div>

      {rights.classified && (<>
      <div className="secrets-block" aria-labelledby="secrets-holds-title">
        <div className="secrets-block-head">
          <h3 id="secrets-holds-title">{t('secrets.holds.title')}</h3>
          {rights.hold && <button type="button" className="button small" onClick={() => setOpen({ kind: 'hold' })}>{t('secrets.holds.add')}</button>}
        </div>
        {state && openHolds.length === 0 && <p className="muted small">{t('secrets.holds.none')}</p>}
        <ul className="secrets-list">
          {openHolds.map((h) => (
            <li key={h.id} className="secrets-item is-hold">
              <div>
                <span className="strong">{t('secrets.holds.held')}</span>
                <span className="small block">{t('secrets.grants.reasonLine', { reason: h.reason })}</span>
                <span className="muted small block">{t('secrets.holds.since', { time: formatDateTimeVn(h.placedAt) })}</span>
              </div>
              {rights.hold && (
                <button type="button" className="button subtle small" disabled={busy}
                  onClick={() => void act(() => call('holds.release', { holdId: h.id }), t('secrets.holds.released'))}>
                  {t('secrets.holds.release')}
                </button>
              )}
            </li>
          ))}
        </ul>
      </div>

      <div className="secrets-block" aria-labelledby="secrets-level-title">
        <div className="secrets-block-head">
          <h3 id="secrets-level-title">{t('secrets.level.title')}</h3>
          {rights.proposeLevel && !pending && (
            <button type="button" className="button small" onClick={() => setOpen({ kind: 'level' })}>{t('secrets.level.open')}</button>
          )}
        </div>
        {pending && (
          <div className="notice level-pending" role="status">
            <p className="notice-title">{t('secrets.level.pendingTitle', { kind: t(`secrets.levelKind.${pending.kind}`) })}</p>
            <p className="small">{change(pending)}</p>
            <p className="small">{t('secrets.level.basis', { authority: pending.authority, date: formatDateVn(pending.decidedOn) })}</p>
            <p className="small">{t('secrets.grants.reasonLine', { reason: pending.reason })}</p>
            <p className="muted small">{t('secrets.level.proposedBy', { name: pending.proposedBy, time: formatDateTimeVn(pending.proposedAt) })}</p>
            {rights.confirmLevel && (
              <div className="notice-actions">
                <button type="button" className="button small" disabled={busy}
                  onClick={() => void act(() => call('levels.cancel', { changeId: pending.id }), t('secrets.level.cancelled'))}>
                  {t('secrets.level.cancel')}
                </button>
                <button type="button" className="button primary small" disabled={busy}
                  onClick={() => void act(() => call('levels.confirm', { changeId: pending.id }), t('secrets.level.confirmed'), true)}>
                  {t('secrets.level.confirm')}
                </button>
              </div>
            )}
          </div>
        )}
        {!pending && !lastConfirmed && <p className="muted small">{t('secrets.level.none')}</p>}
        {lastConfirmed && (
          <div className="level-notice" aria-labelledby="level-notice-title">
            <p id="level-notice-title" className="strong">{t('secrets.level.noticeTitle', { kind: t(`secrets.levelKind.${lastConfirmed.kind}`) })}</p>
            <p className="muted small">
              {t('secrets.level.confirmedBy', { proposer: lastConfirmed.proposedBy, name: lastConfirmed.confirmedBy, time: formatDateTimeVn(lastConfirmed.confirmedAt) })}
            </p>
            <p className="level-deadline">{t('secrets.level.deadline', { date: formatDateVn(lastConfirmed.noticeDue) })}</p>
            <p className="small">
              <span className="strong">{t('secrets.level.holders')}</span>{' '}
              {lastConfirmed.holders.length > 0 ? lastConfirmed.holders.join('; ') : <span className="muted">{t('secrets.level.noHolders')}</span>}
            </p>
            {lastConfirmed.notice && <pre className="notice-text">{lastConfirmed.notice}</pre>}
          </div>
        )}
      </div>

      </>)}
      {rights.destroy && (
        <div className="secrets-block secrets-destroy">
          <button type="button" className="button danger small" onClick={() => setOpen({ kind: 'destroy' })}>{t('secrets.destroy.open')}</button>
          {openHolds.length > 0 && <span className="muted small">{t('secrets.destroy.heldNote')}</span>}
        </div>
      )}

      {open?.kind === 'grant' && (
        <GrantDialog doc={doc} onClose={() => setOpen(null)} onSave={async (userId, reason) => {
          const g = await call('grants.add', { incomingId: doc.id, userId, reason });
          after(t('secrets.grants.done', { name: g.userName }));
        }} />
      )}
      {open?.kind === 'revoke' && (
        <ReasonDialog id="revoke-form" title={t('secrets.grants.revokeTitle', { name: open.grant.userName })} lead={t('secrets.grants.revokeLead')}
          submit={t('secrets.grants.revoke')} danger onClose={() => setOpen(null)} onSave={async (reason) => {
            await call('grants.revoke', { grantId: open.grant.id, reason });
            after(t('secrets.grants.revoked', { name: open.grant.userName }));
          }} />
      )}
      {open?.kind === 'hold' && (
        <ReasonDialog id="hold-form" title={t('secrets.holds.dialogTitle', { number: doc.arrivalNumber })} lead={t('secrets.holds.lead')}
          submit={t('secrets.holds.add')} onClose={() => setOpen(null)} onSave={async (reason) => {
            await call('holds.place', { incomingId: doc.id, reason });
            after(t('secrets.holds.placed'));
          }} />
      )}
      {open?.kind === 'level' && (
        <LevelChangeDialog doc={doc} clearance={clearance} onClose={() => setOpen(null)} onSave={async (form) => {
          await call('levels.propose', { incomingId: doc.id, ...form });
          after(t('secrets.level.proposed'));
        }} />
      )}
      {open?.kind === 'destroy' && (
        <DestroyDialog doc={doc} onClose={() => setOpen(null)} onSave={async (form) => {
          await call('destruction.destroy', { incomingId: doc.id, ...form });
          setOpen(null);
          toast.success(t('secrets.destroy.done', { number: doc.arrivalNumber }));
          onDestroyed();
        }} />
      )}
    </section>
  );
}
