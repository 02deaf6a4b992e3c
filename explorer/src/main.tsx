/** Explorer entry point: mounts the app. */
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';

interface Status {
  readonly name: string;
  readonly height: number;
  readonly leader: string | null;
  readonly term: number;
}

function App() {
  const [status, setStatus] = useState<Status | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    fetch('/v1/status')
      .then((r) => r.json() as Promise<Status>)
      .then(setStatus, (e: unknown) => setError(String(e)));
  }, []);
  if (error !== null) return <p role="alert">Cannot reach the node: {error}</p>;
  if (status === null) return <p>Loading…</p>;
  return (
    <main>
      <h1>ehrchain · {status.name}</h1>
      <p>
        Height {status.height}, term {status.term}, leader {status.leader ?? 'none'}
      </p>
    </main>
  );
}

const root = document.getElementById('app');
if (root !== null) render(<App />, root);
