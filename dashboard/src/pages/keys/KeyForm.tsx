import { type FormEvent, useId, useState } from 'react';
import { SCOPES } from '../../../../src/core/scopes';
import type { ApiKey, KeySettings } from '../../api/keys';
import { fromLocalInput, toLocalInput } from '../../components/format';

interface KeyFormProps {
  /** The key being edited; none for a new key. */
  initial?: ApiKey;
  submitLabel: string;
  busy: boolean;
  onSubmit: (settings: KeySettings) => void;
}

const lines = (text: string) =>
  text
    .split(/[\s,]+/)
    .map((line) => line.trim())
    .filter(Boolean);

const sameList = (a: readonly string[] | null | undefined, b: readonly string[] | null | undefined) =>
  (a ?? []).join('\n') === (b ?? []).join('\n');

/** Name, scopes, IP allow-list, rate limit and expiry of a key; an edit sends only what changed. */
export function KeyForm({ initial, submitLabel, busy, onSubmit }: KeyFormProps) {
  const id = useId();
  const [name, setName] = useState(initial?.name ?? '');
  const [scopes, setScopes] = useState<string[]>(initial?.scopes ?? ['*']);
  const [allowList, setAllowList] = useState((initial?.allowedIps ?? []).join('\n'));
  const [rateLimit, setRateLimit] = useState(initial ? String(initial.rateLimitPerMinute) : '');
  const [expiry, setExpiry] = useState(initial?.expiresAtMS ? toLocalInput(initial.expiresAtMS) : '');
  const all = scopes.includes('*');
  const rolled = initial?.rolledTo !== null && initial?.rolledTo !== undefined;

  const toggle = (scope: string, on: boolean) =>
    setScopes((current) => (on ? [...current.filter((s) => s !== scope), scope] : current.filter((s) => s !== scope)));

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const settings: KeySettings = {};
    if (!initial || name !== initial.name) settings.name = name;
    if (!initial || !sameList(scopes, initial.scopes)) settings.scopes = all ? ['*'] : scopes;
    const ips = lines(allowList);
    if (!initial || !sameList(ips, initial.allowedIps)) settings.allowedIps = ips.length === 0 ? null : ips;
    if (rateLimit !== '' && (!initial || Number(rateLimit) !== initial.rateLimitPerMinute))
      settings.rateLimitPerMinute = Number(rateLimit);
    const expiresAt = fromLocalInput(expiry);
    const initialExpiry = initial?.expiresAtMS ? fromLocalInput(toLocalInput(initial.expiresAtMS)) : undefined;
    if (expiresAt !== initialExpiry)
      settings.expiresAt = expiresAt === undefined ? null : new Date(expiresAt).toISOString();
    onSubmit(settings);
  };

  return (
    <form onSubmit={submit} className="key-form">
      <label className="field">
        <span>Name</span>
        <input required maxLength={100} value={name} onChange={(event) => setName(event.target.value)} />
      </label>
      <fieldset className="scopes">
        <legend>Scopes</legend>
        <label className="check">
          <input type="checkbox" checked={all} onChange={(event) => setScopes(event.target.checked ? ['*'] : [])} />
          Everything (<code>*</code>)
        </label>
        <div className="scope-grid">
          {SCOPES.map((scope) => (
            <label className="check" key={scope}>
              <input
                type="checkbox"
                disabled={all}
                checked={all || scopes.includes(scope)}
                onChange={(event) => toggle(scope, event.target.checked)}
              />
              <code>{scope}</code>
            </label>
          ))}
        </div>
      </fieldset>
      <label className="field">
        <span>IP allow-list (CIDRs, one per line; empty for any address)</span>
        <textarea
          rows={3}
          value={allowList}
          aria-describedby={`${id}-ips`}
          onChange={(event) => setAllowList(event.target.value)}
        />
        <small id={`${id}-ips`}>For example 203.0.113.0/24 or 2001:db8::/32.</small>
      </label>
      <div className="row">
        <label className="field grow">
          <span>Rate limit (requests per minute)</span>
          <input
            type="number"
            min={1}
            max={10_000_000}
            placeholder="Server default"
            value={rateLimit}
            onChange={(event) => setRateLimit(event.target.value)}
          />
        </label>
        <label className="field grow">
          <span>Expires (empty: never)</span>
          <input
            type="datetime-local"
            value={expiry}
            disabled={rolled}
            aria-describedby={rolled ? `${id}-rolled` : undefined}
            onChange={(event) => setExpiry(event.target.value)}
          />
          {rolled && <small id={`${id}-rolled`}>This key was rolled: it ends with its grace period.</small>}
        </label>
      </div>
      <div className="row end">
        <button type="submit" className="primary" disabled={busy || (!all && scopes.length === 0)}>
          {submitLabel}
        </button>
      </div>
    </form>
  );
}
