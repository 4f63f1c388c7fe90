import { CopyButton } from './CopyButton';

/** A plain API key, shown once: it is never fetched again, so the operator must store it now. */
export function SecretOnce({ label, value, onDone }: { label: string; value: string; onDone: () => void }) {
  return (
    <section className="secret-once" aria-label={label}>
      <p className="warning" role="alert">
        Copy this key now and store it safely. It is shown only once: Parley keeps only a hash of it.
      </p>
      <label className="field">
        <span>{label}</span>
        <input
          className="mono"
          readOnly
          value={value}
          data-secret="api-key"
          onFocus={(event) => event.target.select()}
        />
      </label>
      <div className="row">
        <CopyButton value={value} label={`Copy ${label.toLowerCase()}`} />
        <button type="button" className="primary" onClick={onDone}>
          I have stored it
        </button>
      </div>
    </section>
  );
}
