/** Explorer entry point: the shell (header, navigation, search) and the hash router. */
import { render } from 'preact';
import { useEffect } from 'preact/hooks';
import { BenchPage } from './bench.js';
import { BlockPage, BlocksPage } from './blocks.js';
import { ActorPage, ConsentHome, PatientPage } from './consent.js';
import { DemoBanner } from './demo.js';
import { type Route, useRoute } from './hooks.js';
import { NetworkPage } from './network.js';
import { SearchBox, SearchPage } from './search.js';
import { TxPage } from './tx.js';
import { NotFound } from './ui.js';

const NAV = [
  ['', 'Network'],
  ['blocks', 'Blocks'],
  ['consent', 'Consent'],
  ['bench', 'Benchmarks'],
] as const;

function View({ route }: { route: Route }) {
  const [a = '', b, c] = route.parts;
  if (a === '') return <NetworkPage />;
  if (a === 'blocks' && b === undefined) {
    const from = Number(route.query.get('from'));
    return <BlocksPage from={Number.isSafeInteger(from) && from >= 1 ? from : null} />;
  }
  if (a === 'blocks' && b !== undefined) return <BlockPage height={/^\d+$/.test(b) ? Number(b) : -1} />;
  if (a === 'tx' && b !== undefined) return <TxPage hash={b} />;
  if (a === 'search' && b !== undefined) return <SearchPage q={b} />;
  if (a === 'consent' && b === undefined) return <ConsentHome />;
  if (a === 'consent' && b === 'actor' && c !== undefined) return <ActorPage id={c.toLowerCase()} />;
  if (a === 'consent' && b === 'patient' && c !== undefined) return <PatientPage id={c.toLowerCase()} />;
  if (a === 'bench') return <BenchPage />;
  return (
    <NotFound title="Page not found">
      <p>The address does not name a page of the explorer.</p>
    </NotFound>
  );
}

function App() {
  const route = useRoute();
  const section = route.parts[0] === 'tx' ? 'blocks' : (route.parts[0] ?? '');
  const key = route.parts.join('/');
  // Move focus to the new page's heading, so keyboard and screen reader users land on it.
  useEffect(() => {
    const h = document.getElementById('page-title');
    if (h !== null && document.activeElement?.id !== 'search') h.focus({ preventScroll: false });
    scrollTo(0, 0);
  }, [key]);
  return (
    <>
      <button type="button" class="skip" onClick={() => document.getElementById('main')?.focus()}>
        Skip to content
      </button>
      <header class="top">
        <a class="brand" href="#/">
          ehrchain <span>explorer</span>
        </a>
        <nav aria-label="Sections">
          {NAV.map(([path, label]) => (
            <a key={path} href={`#/${path}`} aria-current={section === path ? 'page' : undefined}>
              {label}
            </a>
          ))}
        </nav>
        <SearchBox />
      </header>
      <DemoBanner />
      <main id="main" tabIndex={-1}>
        <View route={route} />
      </main>
    </>
  );
}

const root = document.getElementById('app');
if (root !== null) render(<App />, root);
