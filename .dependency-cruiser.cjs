/**
 * The import rules CI enforces (`npm run lint`, issue 10). The domain (modules' services,
 * repositories, policies, presenters…; core, storage, events, shared, ratelimit) never reaches
 * the transports; core depends on nothing of ours. Type-only imports count. No exceptions.
 */
const TRANSPORT = '^src/(http|plugins|realtime)/';
/** Route and schema files are the HTTP edge of a module (`*.routes.ts`, `sdk-*.routes.ts`, `*.schemas.ts`). */
const MODULE_EDGE = '^src/modules/.+[.](routes|schemas)[.]ts$';
/** A module's index.ts binds its route plugins to their options, with http/bind-routes.ts and nothing else of http/. */
const MODULE_INDEX = '^src/modules/[^/]+/index[.]ts$';

module.exports = {
  forbidden: [
    {
      name: 'domain-not-to-transport',
      comment: 'Domain code throws core AppError codes and declares interfaces; http/, plugins/ and realtime/ map or implement them.',
      severity: 'error',
      from: { path: '^src/(modules|core|storage|events|shared|ratelimit|outbound|config)/', pathNot: [MODULE_EDGE, MODULE_INDEX] },
      to: { path: TRANSPORT },
    },
    {
      name: 'module-index-binds-routes-only',
      comment: "A module's index.ts reaches the transports only to bind its route plugins (http/bind-routes.ts).",
      severity: 'error',
      from: { path: MODULE_INDEX },
      to: { path: TRANSPORT, pathNot: '^src/http/bind-routes[.]ts$' },
    },
    {
      name: 'core-self-contained',
      comment: 'src/core imports only src/core, node built-ins and npm packages.',
      severity: 'error',
      from: { path: '^src/core/' },
      to: { path: '^src/', pathNot: '^src/core/' },
    },
    {
      name: 'modules-through-index',
      comment: "A module's index.ts is its public surface; its repositories and other files are private to it.",
      severity: 'error',
      from: { path: '^src/modules/([^/]+)/' },
      to: { path: '^src/modules/', pathNot: ['^src/modules/$1/', '^src/modules/[^/]+/index[.]ts$'] },
    },
    {
      name: 'outside-through-index',
      comment: 'Wiring, transports and plugins reach a module through its index.ts too.',
      severity: 'error',
      from: { path: '^src/', pathNot: '^src/modules/' },
      to: { path: '^src/modules/', pathNot: '^src/modules/[^/]+/index[.]ts$' },
    },
    {
      name: 'no-folder-cycles',
      comment: 'Folders depend on each other in one direction only (value and type imports alike).',
      severity: 'error',
      scope: 'folder',
      from: { path: '^src/' },
      to: { circular: true },
    },
    // no-folder-cycles compares sibling folders only; these complete it for nesting. A subfolder is a layer
    // below the files of every folder enclosing it (storage/database.ts uses storage/dialects/, never the reverse), so no folder
    // cycle can pass through a parent and its child either.
    // src/cli/ is the exception: an entry point in a folder of its own, it uses the wiring of src/
    // (composition, runtime, bootstrap, logger) as src/server.ts does; nothing below imports it.
    ...[
      ['^src/[^/]+/.+$', '^src/[^/]+$', '^src/cli/'],
      ['^(src/[^/]+)/[^/]+/.+$', '^$1/[^/]+$'],
      ['^(src/[^/]+/[^/]+)/[^/]+/.+$', '^$1/[^/]+$'],
    ].map(([from, to, entryFolder]) => ({
      name: 'no-import-from-parent-folder',
      comment: "A file never imports a file of an enclosing folder (its parent's, grandparent's…).",
      severity: 'error',
      from: entryFolder ? { path: from, pathNot: entryFolder } : { path: from },
      to: { path: to },
    })),
    {
      name: 'no-circular',
      comment: 'Nor do files, inside a folder or across folders.',
      severity: 'error',
      from: { path: '^src/' },
      to: { circular: true },
    },
    {
      name: 'no-unresolvable',
      comment: 'An import the checker cannot resolve would escape every rule above.',
      severity: 'error',
      from: { path: '^src/' },
      to: { couldNotResolve: true },
    },
  ],
  options: {
    parser: 'swc',
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    doNotFollow: { path: 'node_modules' },
  },
};
