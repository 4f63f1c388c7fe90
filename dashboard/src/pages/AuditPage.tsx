import { type FormEvent, useState } from 'react';
import { useSearch } from 'wouter';
import type { AuditFilters } from '../api/audit';
import { useKeys } from '../api/keys';
import { fromLocalInput } from '../components/format';
import { AuditTable } from './audit/AuditTable';

interface FormState {
  keyId: string;
  method: string;
  route: string;
  status: string;
  targetId: string;
  from: string;
  to: string;
}

function filtersOf(form: FormState): AuditFilters {
  return {
    keyId: form.keyId || undefined,
    method: form.method || undefined,
    route: form.route.trim() || undefined,
    status: form.status === '' ? undefined : Number(form.status),
    targetId: form.targetId.trim() || undefined,
    from: fromLocalInput(form.from),
    to: fromLocalInput(form.to),
  };
}

export function AuditPage({ appId }: { appId: string }) {
  const search = new URLSearchParams(useSearch());
  const keys = useKeys(appId, true);
  const initial: FormState = {
    keyId: search.get('keyId') ?? '',
    method: '',
    route: '',
    status: '',
    targetId: search.get('targetId') ?? '',
    from: '',
    to: '',
  };
  const [form, setForm] = useState(initial);
  const [filters, setFilters] = useState(() => filtersOf(initial));
  const field = (name: keyof FormState) => ({
    value: form[name],
    onChange: (event: { target: { value: string } }) => setForm({ ...form, [name]: event.target.value }),
  });
  const apply = (event: FormEvent) => {
    event.preventDefault();
    setFilters(filtersOf(form));
  };
  const reset = () => {
    const empty = { keyId: '', method: '', route: '', status: '', targetId: '', from: '', to: '' };
    setForm(empty);
    setFilters(filtersOf(empty));
  };
  return (
    <>
      <h1>Audit log</h1>
      <p className="lead">Every admin request and every call made with an API key, refused ones included.</p>
      <form className="card filters" onSubmit={apply} aria-label="Audit filters">
        <label className="field">
          <span>Key</span>
          <select {...field('keyId')}>
            <option value="">Any key</option>
            {(keys.data ?? []).map((key) => (
              <option key={key.id} value={key.id}>
                {key.name} (…{key.last4}, {key.status})
              </option>
            ))}
          </select>
        </label>
        <label className="field">
          <span>Method</span>
          <select {...field('method')}>
            <option value="">Any</option>
            {['GET', 'POST', 'PUT', 'PATCH', 'DELETE'].map((method) => (
              <option key={method}>{method}</option>
            ))}
          </select>
        </label>
        <label className="field">
          <span>Route</span>
          <input placeholder="/admin/clients/:id" {...field('route')} />
        </label>
        <label className="field">
          <span>Status</span>
          <input type="number" min={100} max={599} placeholder="e.g. 401" {...field('status')} />
        </label>
        <label className="field">
          <span>Target id</span>
          <input {...field('targetId')} />
        </label>
        <label className="field">
          <span>From</span>
          <input type="datetime-local" {...field('from')} />
        </label>
        <label className="field">
          <span>To</span>
          <input type="datetime-local" {...field('to')} />
        </label>
        <div className="row end">
          <button type="button" onClick={reset}>
            Clear
          </button>
          <button type="submit" className="primary">
            Apply filters
          </button>
        </div>
      </form>
      <AuditTable key={JSON.stringify(filters)} appId={appId} filters={filters} label="Audit records" />
    </>
  );
}
