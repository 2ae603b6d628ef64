// The layering of docs/architecture.md as rules: `npm run lint` (and so `npm test`) fails when an
// import breaks one. Type-only imports count: a type from a higher layer is still a dependency on it.

/** Neutral modules: the model and small helpers, which depend on nothing else of ours. */
const NEUTRAL = [
  '^src/(model|units|time|proc)/',
  '^src/(clock|ids|errors|mask-url|parse-json|json-lines|long-timeout|local-time|version)[.]ts$',
];
const SERVICES = '^src/(jobs|pipeline|console|monitor|cluster|metrics)/';
/** Agent-wide configuration: read by main and agent, handed to services in slices. */
const CONFIG = ['^src/settings/', '^src/(config|logger|runtime-tuning)[.]ts$'];
const SURFACES = ['^src/(http|cli|service)/', '^src/(agent|main)[.]ts$'];

export default {
  forbidden: [
    {
      name: 'no-circular',
      comment:
        'An import cycle: modules that cannot be understood, tested or loaded one at a time.',
      severity: 'error',
      from: { path: '^src/' },
      to: { circular: true },
    },
    {
      name: 'neutral-depends-on-nothing',
      comment: 'model/, units/, time/, proc/ and the root helpers import only each other.',
      severity: 'error',
      from: { path: NEUTRAL },
      to: { path: '^src/', pathNot: NEUTRAL },
    },
    {
      name: 'store-imports-only-model-and-helpers',
      comment: 'The store is below every service: it knows the model, never the code that uses it.',
      severity: 'error',
      from: { path: '^src/store/' },
      to: { path: '^src/', pathNot: ['^src/store/', ...NEUTRAL] },
    },
    {
      name: 'store-backends-apart',
      comment: 'store/sqlite and store/postgres share store/jobs, never each other.',
      severity: 'error',
      from: { path: '^src/store/(sqlite|postgres)/' },
      to: { path: '^src/store/(sqlite|postgres)/', pathNot: '^src/store/$1/' },
    },
    {
      name: 'only-agent-picks-a-store',
      comment:
        'Everything but agent.ts (and the store itself) sees the Store port, not an implementation.',
      severity: 'error',
      from: { path: '^src/', pathNot: ['^src/agent[.]ts$', '^src/store/', '[.]test[.]ts$'] },
      to: { path: '^src/store/(sqlite|postgres)/' },
    },
    {
      name: 'pipeline-not-jobs',
      comment:
        'The runner drives a pipeline run through a port; the pipeline engine knows no jobs.',
      severity: 'error',
      from: { path: '^src/pipeline/' },
      to: { path: '^src/jobs/' },
    },
    {
      name: 'services-below-surfaces',
      comment:
        'Services, config and the store are called by the surfaces, never the other way round.',
      severity: 'error',
      from: { path: [SERVICES, '^src/store/', ...CONFIG] },
      to: { path: SURFACES },
    },
    {
      name: 'http-never-touches-sql',
      comment: 'HTTP sees the Store port (store/store.ts) only.',
      severity: 'error',
      from: { path: '^src/http/' },
      to: { path: '^src/store/', pathNot: '^src/store/store[.]ts$' },
    },
    {
      name: 'cli-talks-http',
      comment:
        'The CLI talks to an agent over HTTP; it may share the model, the console renderer and, for ' +
        '`bosun pipeline run`, the pipeline engine, but never the store or the services that own state.',
      severity: 'error',
      from: { path: '^src/cli/' },
      to: { path: ['^src/(store|jobs|monitor|cluster)/', '^src/agent[.]ts$'] },
    },
    {
      name: 'production-code-not-test-support',
      comment: 'Test helpers live under test/; shipped code never imports them.',
      severity: 'error',
      from: { path: '^src/', pathNot: ['[.]test[.]ts$', '-test-support[.]ts$'] },
      to: { path: '^test/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: ['^src/monitor/fixtures/', '^web/'] },
    tsPreCompilationDeps: true,
    moduleSystems: ['es6'],
  },
};
