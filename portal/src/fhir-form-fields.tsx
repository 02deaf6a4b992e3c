/**
 * The inputs of the FHIR form editor: one labelled input per field of fhir-form/spec.ts (a code
 * is a pick list of common codes plus system, code and display typed freely), each with its hint
 * and, beside it, the validation issues about it.
 */
import { PICK_LISTS } from './fhir-form/codes.js';
import { type FhirForm, pickCode, setValue } from './fhir-form/convert.js';
import { type FieldSpec, FORM_SPECS, FORM_TYPES, type FormType } from './fhir-form/spec.js';

const fid = (id: string) => `wf-${id}`;

function Issues({ id, issues }: { id: string; issues: readonly string[] | undefined }) {
  if (issues === undefined || issues.length === 0) return null;
  return (
    <p class="error field-error" id={`${fid(id)}-err`} data-field-error={id}>
      {issues.join(' ')}
    </p>
  );
}

// aria-describedby of an input: its hint and its issues, when shown.
const describedBy = (f: FieldSpec, bad: boolean): string | undefined =>
  [f.hint === undefined ? '' : `${fid(f.id)}-hint`, bad ? `${fid(f.id)}-err` : '']
    .filter(Boolean)
    .join(' ') || undefined;

function Label({ f, htmlFor }: { f: FieldSpec; htmlFor: string }) {
  return (
    <label for={htmlFor}>
      {f.label}
      {f.required === true ? <span class="muted"> (required)</span> : null}
    </label>
  );
}

function CodeField({
  f,
  form,
  onForm,
  issues,
}: {
  f: FieldSpec & { kind: 'concept' | 'coding' };
  form: FhirForm;
  onForm: (next: FhirForm, edited: string) => void;
  issues: readonly string[] | undefined;
}) {
  const list = PICK_LISTS[f.list];
  const v = (part: string) => form.values[`${f.id}.${part}`] ?? '';
  const picked = list.findIndex((c) => c.system === v('system') && c.code === v('code'));
  const bad = issues !== undefined && issues.length > 0;
  return (
    <fieldset class="code-field">
      <legend>
        {f.label}
        {f.required === true ? <span class="muted"> (required)</span> : null}
      </legend>
      <label for={`${fid(f.id)}-pick`}>Common codes</label>
      <select
        id={`${fid(f.id)}-pick`}
        value={picked < 0 ? '' : String(picked)}
        onChange={(e) => {
          const c = list[Number(e.currentTarget.value)];
          if (e.currentTarget.value !== '' && c !== undefined) onForm(pickCode(form, f.id, c), f.id);
        }}
      >
        <option value="">Other (type it below)</option>
        {list.map((c, i) => (
          <option key={c.code} value={String(i)}>
            {c.display} ({c.code})
          </option>
        ))}
      </select>
      <div class="code-parts">
        {(['system', 'code', 'display'] as const).map((part) => (
          <div class="stack" key={part}>
            <label for={`${fid(f.id)}-${part}`}>
              {part === 'display' ? 'Display (words)' : part[0]?.toUpperCase() + part.slice(1)}
            </label>
            <input
              id={`${fid(f.id)}-${part}`}
              value={v(part)}
              spellcheck={part === 'display'}
              aria-invalid={bad}
              aria-describedby={bad ? `${fid(f.id)}-err` : undefined}
              onInput={(e) => onForm(setValue(form, `${f.id}.${part}`, e.currentTarget.value), f.id)}
            />
          </div>
        ))}
      </div>
      <Issues id={f.id} issues={issues} />
    </fieldset>
  );
}

function Field({
  f,
  form,
  onForm,
  issues,
}: {
  f: FieldSpec;
  form: FhirForm;
  onForm: (next: FhirForm, edited: string) => void;
  issues: readonly string[] | undefined;
}) {
  if (f.kind === 'concept' || f.kind === 'coding')
    return <CodeField f={f} form={form} onForm={onForm} issues={issues} />;
  const value = form.values[f.id] ?? '';
  const bad = issues !== undefined && issues.length > 0;
  const common = {
    id: fid(f.id),
    'aria-invalid': bad,
    'aria-describedby': describedBy(f, bad),
  };
  const set = (v: string) => onForm(setValue(form, f.id, v), f.id);
  return (
    <div class="stack form-field">
      <Label f={f} htmlFor={fid(f.id)} />
      {f.hint === undefined ? null : (
        <p class="muted small hint" id={`${fid(f.id)}-hint`}>
          {f.hint}
        </p>
      )}
      {f.kind === 'select' || f.kind === 'status-concept' ? (
        <select {...common} value={value} onChange={(e) => set(e.currentTarget.value)}>
          <option value="">{f.required === true ? 'Choose…' : 'Not given'}</option>
          {f.options.map((o) => (
            <option key={o} value={o}>
              {o}
            </option>
          ))}
        </select>
      ) : (
        <input
          {...common}
          value={value}
          inputMode={f.kind === 'decimal' ? 'decimal' : undefined}
          spellcheck={f.kind === 'text'}
          onInput={(e) => set(e.currentTarget.value)}
        />
      )}
      <Issues id={f.id} issues={issues} />
    </div>
  );
}

/** The form: its resource type and one input per field, the issues beside their fields. */
export function FormFields({
  form,
  onForm,
  onType,
  issues,
}: {
  form: FhirForm | null;
  onForm: (next: FhirForm, edited: string) => void;
  onType: (type: FormType) => void;
  issues: ReadonlyMap<string, readonly string[]>;
}) {
  return (
    <div class="stack fhir-form">
      <label for="wf-type">Resource type</label>
      <select
        id="wf-type"
        value={form?.type ?? ''}
        onChange={(e) => onType(e.currentTarget.value as FormType)}
      >
        {form === null ? <option value="">Choose a type…</option> : null}
        {FORM_TYPES.map((t) => (
          <option key={t} value={t}>
            {t}
          </option>
        ))}
      </select>
      {form === null
        ? null
        : FORM_SPECS[form.type].map((f) => (
            <Field key={`${form.type}-${f.id}`} f={f} form={form} onForm={onForm} issues={issues.get(f.id)} />
          ))}
    </div>
  );
}
