// The administrator's rules for issuing documents that the window can change: the issuer's notation in
// the number-symbol, same-day numbering, whether the agency must sign, the agency's seal image its
// signature shows (a PNG with a transparent background, checked by the core) and the types whose number
// carries the year (01/2026/NĐ-UBND, state form only). The core validates and audits each.
import { useEffect, useState, type ChangeEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { OutgoingConfigView, OutgoingSealView } from '../../../../common/contract';
import { issuableTypes } from '../../../../common/outgoing';
import { Icon, Spinner } from '../../components/Icon';
import { errorText } from '../../i18n/errors';
import { asDeskError, call } from '../../ipc/call';
import { toast } from '../../stores/toasts';

/** Base64 of a file's bytes, in chunks (a seal is at most 512 KiB). */
async function base64Of(file: File): Promise<string> {
  const bytes = new Uint8Array(await file.arrayBuffer());
  let bin = '';
  for (let i = 0; i < bytes.length; i += 0x8000) bin += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(bin);
}

export function OutgoingSettings() {
  const { t } = useTranslation();
  const [seal, setSeal] = useState<OutgoingSealView | null>(null);
  const [config, setConfig] = useState<OutgoingConfigView | null>(null);
  const [years, setYears] = useState<string[]>([]);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState<'seal' | 'years' | 'rules' | null>(null);
  const [rules, setRules] = useState<{ issuerNotation: string; sameDayIssue: boolean; requireAgencySignature: boolean } | null>(null);

  useEffect(() => {
    let live = true;
    Promise.all([call('outgoing.seal', {}), call('outgoing.config', {})]).then(([s, c]) => {
      if (!live) return;
      setSeal(s);
      setConfig(c);
      setYears(c.yearInNumber);
      setRules({ issuerNotation: c.issuerNotation, sameDayIssue: c.sameDayIssue, requireAgencySignature: c.requireAgencySignature });
    }, (err: unknown) => live && setError(errorText(asDeskError(err))));
    return () => { live = false; };
  }, []);

  const upload = async (e: ChangeEvent<HTMLInputElement>) => {
    const file = e.target.files?.[0];
    e.target.value = '';
    if (!file) return;
    setBusy('seal');
    setError(null);
    try {
      setSeal(await call('outgoing.setSeal', { png: await base64Of(file) }));
      toast.success(t('outgoing.settings.sealSaved'));
    } catch (err) {
      setError(errorText(asDeskError(err)));
    } finally {
      setBusy(null);
    }
  };
  const reset = async () => {
    setBusy('seal');
    try {
      setSeal(await call('outgoing.setSeal', { png: null }));
    } catch (err) {
      setError(errorText(asDeskError(err)));
    } finally {
      setBusy(null);
    }
  };
  const saveYears = async () => {
    if (!config) return;
    setBusy('years');
    setError(null);
    try {
      const { issuerNotation, sameDayIssue, requireAgencySignature, agencyCertificates } = config;
      const next = await call('outgoing.configure', { issuerNotation, sameDayIssue, requireAgencySignature, agencyCertificates, yearInNumber: years });
      setConfig(next);
      setYears(next.yearInNumber);
      toast.success(t('outgoing.settings.yearsSaved'));
    } catch (err) {
      setError(errorText(asDeskError(err)));
    } finally {
      setBusy(null);
    }
  };

  const saveRules = async () => {
    if (!config || !rules) return;
    setBusy('rules');
    setError(null);
    try {
      // The year types stay as they are (absent: unchanged); the agency's certificates too.
      const next = await call('outgoing.configure', { ...rules, issuerNotation: rules.issuerNotation.trim(), agencyCertificates: config.agencyCertificates });
      setConfig(next);
      setRules({ issuerNotation: next.issuerNotation, sameDayIssue: next.sameDayIssue, requireAgencySignature: next.requireAgencySignature });
      toast.success(t('outgoing.settings.rulesSaved'));
    } catch (err) {
      setError(errorText(asDeskError(err)));
    } finally {
      setBusy(null);
    }
  };

  if (!seal || !config || !rules) return error ? <div className="form-error" role="alert">{error}</div> : <div className="center-message"><Spinner /> {t('app.loading')}</div>;
  const types = config.preset === 'state' ? issuableTypes('state') : [];
  return (
    <div className="outgoing-scroll outgoing-settings">
      {error && <div className="form-error" role="alert">{error}</div>}
      <section aria-labelledby="rules-heading" className="settings-block">
        <h2 id="rules-heading" className="meta-heading">{t('outgoing.settings.rules')}</h2>
        <label className="field" htmlFor="issuer-notation">
          <span>{t('outgoing.settings.issuerNotation')}</span>
          <input id="issuer-notation" value={rules.issuerNotation} maxLength={20} onChange={(e) => setRules({ ...rules, issuerNotation: e.target.value })} />
          <span className="field-hint">{t('outgoing.settings.issuerNotationHelp', { example: `01/QĐ-${rules.issuerNotation.trim() || '…'}` })}</span>
        </label>
        <label className="checkbox">
          <input type="checkbox" checked={rules.sameDayIssue} onChange={(e) => setRules({ ...rules, sameDayIssue: e.target.checked })} />
          {' '}{t('outgoing.settings.sameDayIssue')}
        </label>
        <p className="field-hint">{t('outgoing.settings.sameDayIssueHelp')}</p>
        <label className="checkbox">
          <input type="checkbox" checked={rules.requireAgencySignature} onChange={(e) => setRules({ ...rules, requireAgencySignature: e.target.checked })} />
          {' '}{t('outgoing.settings.requireAgencySignature')}
        </label>
        <p className="field-hint">{t(rules.requireAgencySignature ? 'outgoing.settings.requireAgencySignatureOn' : 'outgoing.settings.requireAgencySignatureOff')}</p>
        <button type="button" className="button primary" onClick={() => void saveRules()} disabled={busy !== null}>{busy === 'rules' ? <Spinner /> : <Icon name="check" />} {t('outgoing.settings.save')}</button>
      </section>
      <section aria-labelledby="seal-heading" className="settings-block">
        <h2 id="seal-heading" className="meta-heading">{t('outgoing.settings.seal')}</h2>
        <p className="muted">{t('outgoing.settings.sealHelp')}</p>
        <div className="seal-row">
          <img className="seal-preview" src={`data:image/png;base64,${seal.png}`} alt={t('outgoing.settings.sealAlt')} width={120} height={Math.round((120 * seal.height) / seal.width)} />
          <div>
            <p>{seal.custom ? t('outgoing.settings.sealCustom', { width: seal.width, height: seal.height }) : t('outgoing.settings.sealDefault')}</p>
            <label className="button" htmlFor="seal-file">{busy === 'seal' ? <Spinner /> : <Icon name="paperclip" />} {t('outgoing.settings.sealUpload')}</label>
            <input id="seal-file" type="file" accept="image/png" className="visually-hidden" onChange={(e) => void upload(e)} disabled={busy !== null} />
            {seal.custom && <button type="button" className="button subtle" onClick={() => void reset()} disabled={busy !== null}>{t('outgoing.settings.sealReset')}</button>}
          </div>
        </div>
      </section>
      <section aria-labelledby="years-heading" className="settings-block">
        <h2 id="years-heading" className="meta-heading">{t('outgoing.settings.years')}</h2>
        <p className="muted">{config.preset === 'state' ? t('outgoing.settings.yearsHelp') : t('outgoing.settings.yearsParty')}</p>
        {types.length > 0 && (
          <>
            <div className="year-types">
              {types.map((ty) => (
                <label key={ty.code} className="checkbox">
                  <input type="checkbox" checked={years.includes(ty.code)} onChange={(e) => setYears((ys) => (e.target.checked ? [...ys, ty.code] : ys.filter((y) => y !== ty.code)))} />
                  {' '}{ty.name}
                </label>
              ))}
            </div>
            <button type="button" className="button primary" onClick={() => void saveYears()} disabled={busy !== null}>{busy === 'years' ? <Spinner /> : <Icon name="check" />} {t('outgoing.settings.save')}</button>
          </>
        )}
      </section>
    </div>
  );
}
