/**
 * The doctor's record editor: a FHIR R4 form for the common resources beside the JSON editor,
 * as two tabs over one resource. The JSON text is the one value the page writes; every form edit
 * rewrites it, and switching to the form reads it back (keys the form does not show are kept;
 * keys it would rewrite with less than they hold are named first). Validation is the page's
 * (validateFhir, when written); its issues come back here and sit beside the field they name.
 */
import { useEffect, useState } from 'preact/hooks';
import type { FhirIssue } from '../../protocol/records/fhir.js';
import {
  changeType,
  type FhirForm,
  formLoses,
  formToResource,
  newForm,
  resourceToForm,
} from './fhir-form/convert.js';
import { issuesByField } from './fhir-form/issues.js';
import { FORM_TYPES } from './fhir-form/spec.js';
import { FormFields } from './fhir-form-fields.js';

type Tab = 'form' | 'json';

type Read = { form: FhirForm | null; loses: readonly string[]; note: string | null } | { error: string };

// The JSON text as a form: the form, what it would drop, or why it cannot be shown.
function readJson(json: string): Read {
  let r: unknown;
  try {
    r = JSON.parse(json);
  } catch (err) {
    return {
      error: `The JSON does not parse (${(err as Error).message}); fix it before switching to the form.`,
    };
  }
  const form = resourceToForm(r);
  if (form !== null) return { form, loses: formLoses(r), note: null };
  const type = (r as { resourceType?: unknown } | null)?.resourceType;
  return {
    form: null,
    loses: [],
    note: `The form covers ${FORM_TYPES.join(', ')}${typeof type === 'string' ? `; this is a ${type}` : ''}. Choose a type to start a new form, or keep editing the JSON.`,
  };
}

/** The form and JSON tabs over `json`; `issues` are the last write's validation issues. */
export function RecordEditor({
  json,
  onJson,
  issues,
}: {
  json: string;
  onJson: (json: string) => void;
  issues: readonly FhirIssue[];
}) {
  const [first] = useState(() => readJson(json));
  const [tab, setTab] = useState<Tab>('error' in first ? 'json' : 'form');
  const [form, setForm] = useState<FhirForm | null>('error' in first ? null : first.form);
  const [loses, setLoses] = useState<readonly string[]>('error' in first ? [] : first.loses);
  const [note, setNote] = useState<string | null>('error' in first ? null : first.note);
  const [jsonError, setJsonError] = useState<string | null>(null);
  // Fields edited since the issues came: their issues are hidden until the next write.
  const [edited, setEdited] = useState<ReadonlySet<string>>(new Set());
  useEffect(() => setEdited(new Set()), [issues]);

  const put = (next: FhirForm) => {
    setForm(next);
    onJson(JSON.stringify(formToResource(next), null, 2));
  };
  // Reads the JSON into the form and shows it; false (and why, under the JSON) if it cannot.
  const toForm = (): boolean => {
    if (tab === 'form') return true;
    const read = readJson(json);
    if ('error' in read) {
      setJsonError(read.error);
      return false;
    }
    setJsonError(null);
    setForm(read.form);
    setLoses(read.loses);
    setNote(read.note);
    setTab('form');
    return true;
  };
  const byField =
    form === null
      ? new Map<string, readonly string[]>()
      : new Map([...issuesByField(form.type, issues)].filter(([id]) => !edited.has(id)));
  const elsewhere = byField.get('');
  const tabButton = (t: Tab, label: string, onClick: () => void) => (
    <button
      type="button"
      role="tab"
      id={`w-tab-${t}`}
      class="tab"
      aria-selected={tab === t}
      aria-controls={`w-panel-${t}`}
      tabIndex={tab === t ? 0 : -1}
      onClick={onClick}
      onKeyDown={(e) => {
        // The tabs pattern: arrows move between the two tabs.
        if (e.key === 'ArrowRight' || e.key === 'ArrowLeft') {
          e.preventDefault();
          const other: Tab = tab === 'form' ? 'json' : 'form';
          if (other === 'json') setTab('json');
          else if (!toForm()) return;
          document.getElementById(`w-tab-${other}`)?.focus();
        }
      }}
    >
      {label}
    </button>
  );
  return (
    <div class="record-editor">
      <div role="tablist" aria-label="How to write the resource" class="tabs">
        {tabButton('form', 'Form', () => void toForm())}
        {tabButton('json', 'JSON', () => setTab('json'))}
      </div>
      <div
        role="tabpanel"
        id="w-panel-form"
        aria-labelledby="w-tab-form"
        hidden={tab !== 'form'}
        class="stack"
      >
        {note === null ? null : <p class="muted">{note}</p>}
        {loses.length === 0 ? null : (
          <p class="notice" id="wf-loses">
            This form shows less than the resource holds in {loses.join(', ')}. Editing the form rewrites them
            without what it does not show; the JSON tab keeps them.
          </p>
        )}
        {elsewhere === undefined ? null : (
          <ul class="error" id="wf-other-issues">
            {elsewhere.map((t) => (
              <li key={t}>{t}</li>
            ))}
          </ul>
        )}
        <FormFields
          form={form}
          issues={byField}
          onForm={(next, id) => {
            setEdited(new Set([...edited, id]));
            put(next);
          }}
          onType={(type) => {
            setLoses([]);
            setNote(null);
            put(form === null ? newForm(type) : changeType(form, type));
          }}
        />
      </div>
      <div
        role="tabpanel"
        id="w-panel-json"
        aria-labelledby="w-tab-json"
        hidden={tab !== 'json'}
        class="stack"
      >
        <label for="w-json">FHIR R4 resource (JSON)</label>
        <textarea
          id="w-json"
          rows={12}
          spellcheck={false}
          class="mono"
          value={json}
          aria-describedby={jsonError === null ? undefined : 'w-json-error'}
          onInput={(e) => {
            setJsonError(null);
            onJson(e.currentTarget.value);
          }}
        />
        {jsonError === null ? null : (
          <p class="error" role="alert" id="w-json-error">
            {jsonError}
          </p>
        )}
      </div>
    </div>
  );
}
