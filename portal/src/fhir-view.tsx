/** A decrypted record, readable (fhir-text.ts) with a raw JSON toggle. Everything renders as text. */
import { useState } from 'preact/hooks';
import { type ReadableResource, readable } from './fhir-text.js';

/** A readable resource as elements with text children only (no markup from the record). */
export function Readable({ r }: { r: ReadableResource }) {
  return (
    <div class="resource">
      <h4>{r.title}</h4>
      {r.lines.length > 0 ? (
        <dl>
          {r.lines.map(([k, v]) => (
            <>
              <dt>{k}</dt>
              <dd>{v}</dd>
            </>
          ))}
        </dl>
      ) : null}
      {r.narrative !== '' ? <p class="narrative">{r.narrative}</p> : null}
      {r.entries.map((e, i) => (
        <Readable key={i} r={e} />
      ))}
    </div>
  );
}

/** The record view. */
export function RecordView({ resource }: { resource: unknown }) {
  const [raw, setRaw] = useState(false);
  return (
    <div class="record-view" data-testid="record-view">
      <button type="button" class="link" aria-pressed={raw} onClick={() => setRaw(!raw)}>
        {raw ? 'Readable view' : 'Raw JSON'}
      </button>
      {raw ? <pre class="raw">{JSON.stringify(resource, null, 2)}</pre> : <Readable r={readable(resource)} />}
    </div>
  );
}
