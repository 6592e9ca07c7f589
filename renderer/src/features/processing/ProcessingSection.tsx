// The processing of one incoming document on its view: where it stands (status and its edXML code,
// when it is due to be submitted), the actions the core says this person may take now (Trình, Cho ý
// kiến, Phân công, Cập nhật tiến độ, Xin gia hạn, Hoàn thành, Trả lại), the tasks, and the timeline.
import { useCallback, useEffect, useState, type FormEvent, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import type { ProcessingPeople, ProcessingState, ProcessingStepView, ProcessingTaskView } from '../../../../common/contract';
import { formatDateTimeVn, formatDateVn } from '../../../../common/dates';
import { EDXML_STATUS_LABELS } from '../../../../common/processing';
import { DateInput, dateTextToIso } from '../../components/DateInput';
import { Dialog } from '../../components/Dialog';
import { controlProps, Field } from '../../components/Field';
import { Icon, Spinner } from '../../components/Icon';
import { errorFields, errorText } from '../../i18n/errors';
import { useLabels } from '../../i18n/labels';
import { asDeskError, call, isGloballyHandled } from '../../ipc/call';
import { useIncoming } from '../../stores/incoming';
import { toast } from '../../stores/toasts';
import { useNoticesStore } from './useProcessingNotices';
import './processing.css';

type Action =
  | { kind: 'submit' } | { kind: 'direct'; revises?: number } | { kind: 'return' }
  | { kind: 'assign'; task: ProcessingTaskView } | { kind: 'progress'; task: ProcessingTaskView }
  | { kind: 'extension'; task: ProcessingTaskView } | { kind: 'decide'; task: ProcessingTaskView } | { kind: 'complete'; task: ProcessingTaskView };

export function ProcessingSection({ incomingId, onChanged }: { incomingId: number; onChanged(): void }) {
  const { t } = useTranslation();
  const labels = useLabels();
  const [state, setState] = useState<ProcessingState | null>(null);
  const [action, setAction] = useState<Action | null>(null);

  const load = useCallback(() => {
    let live = true;
    call('processing.state', { incomingId }).then((s) => live && setState(s), () => live && setState(null));
    return () => {
      live = false;
    };
  }, [incomingId]);
  useEffect(() => load(), [load]);

  if (!state) return null;
  const a = state.actions;
  const task = (id: number) => state.tasks.find((x) => x.id === id)!;
  const done = (s: ProcessingState, message: string) => {
    setAction(null);
    setState(s);
    toast.success(message);
    useNoticesStore.getState().refresh();
    useIncoming.getState().refresh();
    onChanged();
  };

  return (
    <section className="processing-section" aria-labelledby="processing-heading">
      <h2 id="processing-heading" className="meta-heading"><Icon name="list" /> {t('processing.section')}</h2>
      <p className="processing-status">
        <span className="strong">{labels.status(state.status)}</span>
        <span className="muted"> · {t('processing.edxml', { code: state.edxmlStatus, label: EDXML_STATUS_LABELS[state.edxmlStatus] ?? '' })}</span>
      </p>
      {state.submission && (
        <p className={state.submission.late ? 'processing-due overdue' : 'processing-due'}>
          {state.submission.atOnce ? t('processing.submitAtOnce') : t('processing.submitBy', { date: formatDateVn(state.submission.dueDate) })}
          {state.submission.late && ` — ${t('processing.submitLate')}`}
        </p>
      )}
      <div className="processing-actions">
        {a.submit && <button type="button" className="button small primary" onClick={() => setAction({ kind: 'submit' })}>{t('processing.act.submit')}</button>}
        {a.direct && <button type="button" className="button small primary" onClick={() => setAction({ kind: 'direct' })}>{t('processing.act.direct')}</button>}
        {a.redirect && state.currentDirectionId !== null && (
          <button type="button" className="button small" onClick={() => setAction({ kind: 'direct', revises: state.currentDirectionId! })}>{t('processing.act.redirect')}</button>
        )}
        {a.assign.map((id) => (
          <button key={`a${id}`} type="button" className="button small primary" onClick={() => setAction({ kind: 'assign', task: task(id) })}>
            {t('processing.act.assign')}{a.assign.length > 1 ? ` (${taskName(task(id))})` : ''}
          </button>
        ))}
        {a.handle.map((id) => (
          <span key={`h${id}`} className="processing-action-group">
            <button type="button" className="button small" onClick={() => setAction({ kind: 'progress', task: task(id) })}>{t('processing.act.progress')}</button>
            {task(id).due && !task(id).extensionUntil && (
              <button type="button" className="button small" onClick={() => setAction({ kind: 'extension', task: task(id) })}>{t('processing.act.extension')}</button>
            )}
            <button type="button" className="button small primary" onClick={() => setAction({ kind: 'complete', task: task(id) })}>{t('processing.act.complete')}</button>
          </span>
        ))}
        {a.decide.map((id) => (
          <button key={`d${id}`} type="button" className="button small primary" onClick={() => setAction({ kind: 'decide', task: task(id) })}>
            {t('processing.act.decide', { name: taskName(task(id)) })}
          </button>
        ))}
        {a.return && <button type="button" className="button small subtle" onClick={() => setAction({ kind: 'return' })}>{t('processing.act.return')}</button>}
      </div>
      {state.tasks.length > 0 && (
        <ul className="processing-tasks" aria-label={t('processing.tasks')}>
          {state.tasks.filter((x) => x.state !== 'closed').map((x) => (
            <li key={x.id} className={`task task-${x.state}`}>
              <span className="strong">{t(`processing.role.${x.role}`)}:</span> {taskName(x)}
              {x.due && <span className="muted"> · {t('processing.dueShort', { date: formatDateVn(x.due) })}</span>}
              {x.dueAt && <span className="muted"> · {formatDateTimeVn(x.dueAt)}</span>}
              <span className="muted"> · {t(`processing.state.${x.state}`)}{x.progress > 0 && x.state === 'open' ? ` (${x.progress}%)` : ''}</span>
              {x.extensionUntil && <span className="block due-soon">{t('processing.extensionAsked', { date: formatDateVn(x.extensionUntil) })}: {x.extensionReason}</span>}
            </li>
          ))}
        </ul>
      )}
      {state.steps.length > 0 && (
        <>
          <h3 className="timeline-heading">{t('processing.timeline')}</h3>
          <ol className="processing-timeline">
            {state.steps.map((s) => <Step key={s.id} step={s} />)}
          </ol>
        </>
      )}
      {action && <ActionDialog incomingId={incomingId} state={state} action={action} onClose={() => setAction(null)} onDone={done} />}
    </section>
  );
}

const taskName = (x: ProcessingTaskView): string => x.userName ?? x.unitName ?? '';

function Step({ step }: { step: ProcessingStepView }) {
  const { t } = useTranslation();
  const d = step.data;
  const to = [step.toUnitName, step.toUserName].filter(Boolean).join(' — ');
  const lines: ReactNode[] = [];
  if (step.kind === 'direct') {
    const coop = (d.cooperate as Array<{ name: string; deadline: string | null }> | undefined) ?? [];
    const inform = (d.inform as string[] | undefined) ?? [];
    if (d.lead) lines.push(t('processing.step.lead', { name: d.lead as string }) + (step.deadline ? ` (${t('processing.dueShort', { date: formatDateVn(step.deadline) })})` : ''));
    if (coop.length) lines.push(t('processing.step.cooperate', { names: coop.map((c) => (c.deadline ? `${c.name} (${formatDateVn(c.deadline)})` : c.name)).join('; ') }));
    if (inform.length) lines.push(t('processing.step.inform', { names: inform.join('; ') }));
  } else if (step.kind === 'progress') {
    lines.push(t('processing.step.percent', { percent: d.percent as number }));
  } else if (step.kind === 'extension_request') {
    lines.push(t('processing.step.asked', { date: formatDateVn(step.deadline), from: formatDateVn(d.from as string) }));
  } else if (step.kind === 'extension_decision') {
    lines.push(d.grant ? t('processing.step.granted', { date: formatDateVn(step.deadline) }) : t('processing.step.refused', { date: formatDateVn(d.asked as string) }));
  } else if (step.kind === 'complete' && d.reply) {
    lines.push(t('processing.step.reply', { number: (d.reply as { numberSymbol: string }).numberSymbol }));
  } else if (step.kind === 'draft') {
    lines.push(t('processing.step.draft', { name: d.name as string }));
  } else if ((step.kind === 'submit' || step.kind === 'assign') && step.deadline) {
    lines.push(t('processing.dueShort', { date: formatDateVn(step.deadline) }) + (d.late ? ` — ${t('processing.submitLate')}` : ''));
  }
  return (
    <li className={`step step-${step.kind}`}>
      <div className="step-head">
        <span className="strong">{t(`processing.kind.${step.kind}`)}{step.revisesId ? ` (${t('processing.revision')})` : ''}</span>
        <span className="muted"> · {step.actorName}{to ? ` → ${to}` : ''} · {formatDateTimeVn(step.at)}</span>
      </div>
      {step.text && <div className="step-text">{step.text}</div>}
      {lines.map((l, i) => <div key={i} className="step-detail muted">{l}</div>)}
    </li>
  );
}

/** One form for every action; the fields follow the action. */
function ActionDialog({ incomingId, state, action, onClose, onDone }: {
  incomingId: number; state: ProcessingState; action: Action; onClose(): void; onDone(s: ProcessingState, message: string): void;
}) {
  const { t } = useTranslation();
  const [people, setPeople] = useState<ProcessingPeople | null>(null);
  const [f, setF] = useState<Record<string, string>>({ percent: action.kind === 'progress' ? String(action.task.progress) : '' });
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [busy, setBusy] = useState(false);
  const set = (k: string) => (v: string) => setF((cur) => ({ ...cur, [k]: v }));
  useEffect(() => {
    call('processing.people', { incomingId }).then(setPeople, () => setPeople({ leaders: [], people: [], units: [] }));
  }, [incomingId]);

  const date = (k: string) => (f[k] ? dateTextToIso(f[k]!) : undefined);
  const target = (k: string): { userId?: number; unitId?: number } => {
    const v = f[k] ?? '';
    if (v.startsWith('u:')) return { userId: Number(v.slice(2)) };
    if (v.startsWith('d:')) return { unitId: Number(v.slice(2)) };
    return {};
  };
  const many = (k: string) => (f[k] ?? '').split(',').filter(Boolean).map((v) => (v.startsWith('u:') ? { userId: Number(v.slice(2)) } : { unitId: Number(v.slice(2)) }));

  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setErrors({});
    try {
      let s: ProcessingState;
      let message: string;
      switch (action.kind) {
        case 'submit':
          s = await call('processing.submit', { incomingId, leaderId: Number(f.leader), ...(f.note ? { note: f.note } : {}) });
          message = t('processing.done.submit');
          break;
        case 'direct': {
          const coopDeadline = date('coopDeadline');
          s = await call('processing.direct', {
            incomingId, text: f.text ?? '', lead: { ...target('lead'), ...(date('deadline') ? { deadline: date('deadline') } : {}) },
            cooperate: many('cooperate').map((x) => ({ ...x, ...(coopDeadline ? { deadline: coopDeadline } : {}) })), inform: many('inform'),
            ...(action.revises ? { revisesStepId: action.revises } : {}),
          });
          message = t('processing.done.direct');
          break;
        }
        case 'assign':
          s = await call('processing.assign', { taskId: action.task.id, handlerId: Number(f.handler), ...(date('deadline') ? { deadline: date('deadline') } : {}), ...(f.note ? { note: f.note } : {}) });
          message = t('processing.done.assign');
          break;
        case 'progress':
          s = await call('processing.progress', { taskId: action.task.id, percent: Number(f.percent || 0), note: f.note ?? '' });
          message = t('processing.done.progress');
          break;
        case 'extension':
          s = await call('processing.requestExtension', { taskId: action.task.id, until: date('until') ?? '', reason: f.reason ?? '' });
          message = t('processing.done.extension');
          break;
        case 'decide':
          s = await call('processing.decideExtension', { taskId: action.task.id, grant: f.grant !== 'no', ...(f.note ? { note: f.note } : {}) });
          message = t('processing.done.decide');
          break;
        case 'complete':
          s = await call('processing.complete', {
            taskId: action.task.id, ...(f.note ? { note: f.note } : {}), ...(f.reply ? { reply: { numberSymbol: f.reply } } : {}),
          });
          message = t('processing.done.complete');
          break;
        case 'return':
          s = await call('processing.return', { incomingId, reason: f.reason ?? '' });
          message = t('processing.done.return');
          break;
      }
      onDone(s, message);
    } catch (err) {
      const de = asDeskError(err);
      if (de.fields && Object.keys(de.fields).length > 0) setErrors({ ...errorFields(de), ...(de.message ? { _: errorText(de) } : {}) });
      else if (!isGloballyHandled(de)) setErrors({ _: errorText(de) });
    } finally {
      setBusy(false);
    }
  }

  const title = action.kind === 'direct' && action.revises ? t('processing.act.redirect') : t(`processing.act.${action.kind}`, { name: 'task' in action ? taskName(action.task) : '' });
  const targets = people ? [
    ...people.units.map((u) => ({ value: `d:${u.id}`, label: u.name })),
    ...people.people.map((p) => ({ value: `u:${p.id}`, label: `${p.fullName} — ${p.position}` })),
  ] : [];
  const text = (k: string, label: string, required = false, multiline = false) => (
    <Field id={`pa-${k}`} label={label} error={errors[k]} required={required}>
      {multiline
        ? <textarea className="input" rows={4} {...controlProps(`pa-${k}`, errors[k], false, required)} value={f[k] ?? ''} onChange={(e) => set(k)(e.target.value)} />
        : <input className="input" {...controlProps(`pa-${k}`, errors[k], false, required)} value={f[k] ?? ''} onChange={(e) => set(k)(e.target.value)} />}
    </Field>
  );
  const dateField = (k: string, label: string, required = false) => (
    <Field id={`pa-${k}`} label={label} error={errors[k]} required={required}>
      <DateInput {...controlProps(`pa-${k}`, errors[k], false, required)} value={f[k] ?? ''} onValueChange={set(k)} />
    </Field>
  );
  const select = (k: string, label: string, options: Array<{ value: string; label: string }>, required = true, multiple = false) => (
    <Field id={`pa-${k}`} label={label} error={errors[k] ?? errors[`${k}Id`]} required={required}>
      <select className="input" {...controlProps(`pa-${k}`, errors[k], false, required)} multiple={multiple} size={multiple ? Math.min(6, Math.max(3, options.length)) : undefined}
        value={multiple ? (f[k] ?? '').split(',').filter(Boolean) : f[k] ?? ''}
        onChange={(e) => set(k)(multiple ? [...e.target.selectedOptions].map((o) => o.value).join(',') : e.target.value)}>
        {!multiple && <option value="">{t('processing.choose')}</option>}
        {options.map((o) => <option key={o.value} value={o.value}>{o.label}</option>)}
      </select>
    </Field>
  );

  return (
    <Dialog open title={title} onClose={onClose} className="processing-dialog"
      footer={(
        <>
          <span className="footer-status" />
          <button type="button" className="button" onClick={onClose}>{t('common.cancel')}</button>
          <button type="submit" form="processing-form" className="button primary" disabled={busy || !people}>{busy && <Spinner />} {t('processing.confirm')}</button>
        </>
      )}>
      <form id="processing-form" className="form-stack" onSubmit={(e) => void submit(e)} noValidate>
        {!people && <p className="muted"><Spinner /> {t('app.loading')}</p>}
        {people && action.kind === 'submit' && (
          <>
            {state.submission && <p className="section-lead">{state.submission.atOnce ? t('processing.submitAtOnce') : t('processing.submitBy', { date: formatDateVn(state.submission.dueDate) })}</p>}
            {select('leader', t('processing.field.leader'), people.leaders.map((p) => ({ value: String(p.id), label: `${p.fullName} — ${p.position}` })))}
            {text('note', t('processing.field.note'))}
          </>
        )}
        {people && action.kind === 'direct' && (
          <>
            {text('text', t('processing.field.direction'), true, true)}
            {select('lead', t('processing.field.lead'), targets)}
            {dateField('deadline', t('processing.field.leadDeadline'))}
            {select('cooperate', t('processing.field.cooperate'), targets, false, true)}
            {dateField('coopDeadline', t('processing.field.coopDeadline'))}
            {select('inform', t('processing.field.inform'), targets, false, true)}
          </>
        )}
        {people && action.kind === 'assign' && (
          <>
            <p className="section-lead">{t('processing.assignLead', { name: taskName(action.task), date: action.task.due ? formatDateVn(action.task.due) : t('processing.noDue') })}</p>
            {select('handler', t('processing.field.handler'), people.people.filter((p) => p.id !== action.task.userId).map((p) => ({ value: String(p.id), label: `${p.fullName} — ${p.position}` })))}
            {dateField('deadline', t('processing.field.deadline'))}
            {text('note', t('processing.field.note'))}
          </>
        )}
        {people && action.kind === 'progress' && (
          <>
            <Field id="pa-percent" label={t('processing.field.percent')} error={errors.percent} required>
              <input className="input" type="number" min={0} max={100} {...controlProps('pa-percent', errors.percent, false, true)} value={f.percent ?? ''} onChange={(e) => set('percent')(e.target.value)} />
            </Field>
            {text('note', t('processing.field.progressNote'), true, true)}
          </>
        )}
        {people && action.kind === 'extension' && (
          <>
            <p className="section-lead">{t('processing.currentDue', { date: formatDateVn(action.task.due) })}</p>
            {dateField('until', t('processing.field.until'), true)}
            {text('reason', t('processing.field.reason'), true, true)}
          </>
        )}
        {people && action.kind === 'decide' && (
          <>
            <p className="section-lead">{t('processing.decideLead', { name: taskName(action.task), date: formatDateVn(action.task.extensionUntil), reason: action.task.extensionReason ?? '' })}</p>
            {select('grant', t('processing.field.decision'), [{ value: 'yes', label: t('processing.grant') }, { value: 'no', label: t('processing.refuse') }])}
            {text('note', t('processing.field.note'))}
          </>
        )}
        {people && action.kind === 'complete' && (
          <>
            {text('reply', t('processing.field.reply'))}
            {text('note', t('processing.field.note'), false, true)}
          </>
        )}
        {people && action.kind === 'return' && text('reason', t('processing.field.reason'), true, true)}
        {errors._ && <div className="form-error" role="alert">{errors._}</div>}
      </form>
    </Dialog>
  );
}
