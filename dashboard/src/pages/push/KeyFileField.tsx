import { useState } from 'react';

/** A key given as a file picked or as text pasted: picking a file fills the text. */
export function KeyFileField(props: {
  /** What the key is, e.g. "Service-account key": the labels are built from it. */
  name: string;
  accept: string;
  value: string;
  onChange: (value: string) => void;
  placeholder: string;
}) {
  const [picked, setPicked] = useState<string>();
  return (
    <fieldset>
      <legend>{props.name}</legend>
      <label className="field">
        <span>{props.name} file</span>
        <input
          type="file"
          accept={props.accept}
          onChange={async (event) => {
            const file = event.target.files?.[0];
            if (!file) return;
            props.onChange(await file.text());
            setPicked(file.name);
            event.target.value = '';
          }}
        />
      </label>
      {picked && props.value !== '' && (
        <p className="hint" role="status">
          Read from {picked}.
        </p>
      )}
      <label className="field">
        <span>…or paste the {props.name.toLowerCase()}</span>
        <textarea
          rows={4}
          spellCheck={false}
          autoComplete="off"
          className="mono"
          placeholder={props.placeholder}
          value={props.value}
          onChange={(event) => props.onChange(event.target.value)}
        />
      </label>
    </fieldset>
  );
}
