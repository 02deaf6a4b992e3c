/**
 * Import boundaries, checked by `npm run deps` (part of `npm test`). Arrows point down only:
 *   cli -> {node, client, explorer/serve} -> protocol -> {vm, consensus}; research alone.
 * The pure cores (consensus/, vm/, research/) import no other folder and no Node I/O module.
 * ARCHITECTURE.md states the same rules in prose.
 */
const PURE_IO =
  '^(fs|fs/promises|net|http|https|http2|dgram|child_process|worker_threads|cluster|os|timers|timers/promises|readline|tls|dns|process|perf_hooks)$';
module.exports = {
  forbidden: [
    {
      name: 'no-cycles',
      severity: 'error',
      comment: 'No import cycle anywhere.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'consensus-is-pure',
      severity: 'error',
      from: { path: '^consensus/' },
      to: { path: '^(node|cli|client|explorer|protocol|vm|research)/' },
    },
    {
      name: 'vm-is-pure',
      severity: 'error',
      from: { path: '^vm/' },
      to: { path: '^(node|cli|client|explorer|protocol|consensus|research)/' },
    },
    {
      name: 'research-is-pure',
      severity: 'error',
      from: { path: '^research/' },
      to: { path: '^(node|cli|client|explorer|protocol|consensus|vm)/' },
    },
    {
      name: 'pure-cores-do-no-io',
      severity: 'error',
      comment:
        'consensus/, vm/ and research/ do no I/O: time, randomness, messages and storage come in as inputs.',
      from: { path: '^(consensus|vm|research)/' },
      to: { dependencyTypes: ['core'], path: PURE_IO },
    },
    {
      name: 'protocol-is-shared-below-node-and-client',
      severity: 'error',
      from: { path: '^protocol/' },
      to: { path: '^(node|cli|client|explorer|portal|consensus|research)/' },
    },
    {
      name: 'client-does-not-import-the-server',
      severity: 'error',
      from: { path: '^client/' },
      to: { path: '^(node|cli|explorer|portal|consensus)/' },
    },
    {
      name: 'node-does-not-import-cli-client-or-ui',
      severity: 'error',
      comment: 'The web UI is registered by the CLI through an HTTP plugin (node/create.ts httpPlugins).',
      from: { path: '^node/' },
      to: { path: '^(cli|client|explorer|portal)/' },
    },
    {
      name: 'browser-code-talks-http-only',
      severity: 'error',
      comment:
        'explorer/src runs in the browser: it may use the API types of protocol/api.ts, nothing of the server.',
      from: { path: '^explorer/src/' },
      to: { path: '^(node|cli|client|consensus|vm|research|protocol/(?!api\\.ts$))' },
    },
    {
      name: 'portal-talks-http-only',
      severity: 'error',
      comment:
        'portal/src runs in the browser: it uses the client library (client/, protocol/) over HTTP, nothing of the server, the VM or the explorer.',
      from: { path: '^portal/src/' },
      to: { path: '^(node|cli|vm|consensus|research|explorer)/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^(node_modules|dist|explorer/dist|portal/dist|\\.cache|\\.data)/' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.tsx', '.js', '.mjs'] },
  },
};
