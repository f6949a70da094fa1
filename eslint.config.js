import reactHooks from 'eslint-plugin-react-hooks';
import tseslint from 'typescript-eslint';

/*
 * Layering. Imports flow one way: graph <- model <- trainer; infer <- app; util is a leaf. The trainer
 * may use infer's pure pipeline; the app meets the network only through ONNX files and model cards.
 * Relative imports are matched by the top-level folder they climb to (`../graph`, `../../model/x`).
 */
const CODE = '**/*.{ts,tsx,js,mjs}';
const layers = (...names) => ({
  regex: `^(\\.\\./)+(${names.join('|')})(/|$)`,
  message: `Layering: this folder may not import src/${names.join(', src/')} (see docs/ARCHITECTURE.md).`,
});
const ORT = {
  regex: '^onnxruntime-(node|web|common)(/|$)',
  message: 'Only src/infer/runtime/backend.ts imports onnxruntime; use its Session and createSession.',
};
const CLI = {
  regex: '(^|/)cli(/|(\\.[jt]s)?$)',
  message: 'CLI entry points (src/infer/cli/*, src/trainer/cli.ts) are not imported; move what you need out of them.',
};
/*
 * Stages inside src/infer, in the order a scan flows: io, contract, preprocess, runtime (sessions, tiles),
 * postprocess, then attention and eval, the pipeline that runs them all, the jobs around the pipeline
 * (file, folder, worker thread) and the CLIs. A module may import its own and earlier stages only.
 */
const STAGES = ['io', 'contract', 'preprocess', 'runtime', 'postprocess', 'attention', 'eval', 'pipeline', 'jobs', 'cli'];
const later = (...names) => ({
  regex: `^\\.\\.?/(${names.join('|')})(/|$)`,
  message: `Stage order inside src/infer (${STAGES.join(' < ')}): this module may not import ${names.join(', ')}.`,
});
const afterStage = (stage) => later(...STAGES.slice(STAGES.indexOf(stage) + 1).filter((n) => n !== 'cli'), 'synthetic');
const restrict = (...patterns) => ({ '@typescript-eslint/no-restricted-imports': ['error', { patterns }] });
const area = (dir, ...patterns) => ({ files: [`${dir}/${CODE}`], rules: restrict(...patterns) });

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'test-results/**', 'playwright-report/**', 'public/**'] },
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts', '**/*.tsx'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  // React's rules of hooks and effect dependencies on the components.
  { ...reactHooks.configs.flat.recommended, files: ['src/app/**/*.tsx'] },
  // The type-checked rules on the shipped code, and exhaustive switches everywhere.
  ...tseslint.configs.recommendedTypeChecked.map((c) => ({ ...c, files: ['src/**/*.ts', 'src/**/*.tsx'] })),
  {
    files: ['src/**/*.ts', 'src/**/*.tsx'],
    rules: { '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true, allowArray: true }] },
  },
  {
    files: ['**/*.ts', '**/*.tsx'],
    rules: { '@typescript-eslint/switch-exhaustiveness-check': ['error', { considerDefaultExhaustiveForUnions: true }] },
  },
  // Later entries override earlier ones for the same file, so each repeats the shared patterns.
  area('{bench,e2e,scripts}', ORT, CLI),
  area('test', ORT),
  area('src/util', ORT, CLI, layers('graph', 'model', 'trainer', 'infer', 'app')),
  area('src/graph', ORT, CLI, layers('model', 'trainer', 'infer', 'app')),
  area('src/model', ORT, CLI, layers('trainer', 'infer', 'app')),
  area('src/trainer', ORT, CLI, layers('app')),
  area('src/infer', ORT, CLI, layers('graph', 'model', 'trainer', 'app')),
  ...['io', 'contract', 'preprocess', 'runtime', 'postprocess'].map((st) => area(`src/infer/${st}`, ORT, CLI, layers('graph', 'model', 'trainer', 'app'), afterStage(st))),
  ...['attention', 'eval', 'synthetic', 'adapt'].map((st) => area(`src/infer/${st}`, ORT, CLI, layers('graph', 'model', 'trainer', 'app'), later('pipeline', 'jobs'))),
  { files: ['src/infer/pipeline.ts'], rules: restrict(ORT, CLI, layers('graph', 'model', 'trainer', 'app'), later('jobs')) },
  { files: ['src/infer/runtime/backend.ts'], rules: restrict(CLI, layers('graph', 'model', 'trainer', 'app'), afterStage('runtime')) },
  area('src/infer/cli', ORT, CLI, layers('graph', 'model', 'trainer', 'app'), {
    regex: '^\\./',
    message: 'CLI entry points do not import each other; shared code lives outside src/infer/cli.',
  }),
  area('src/app', ORT, CLI, layers('graph', 'model', 'trainer')),
  {
    files: ['src/app/**/*.tsx'],
    rules: restrict(ORT, CLI, layers('graph', 'model', 'trainer'), {
      regex: '^\\./state(/(?!read$).*)?$',
      message: 'Components read the state through ./state/read and change it only through appContext (actions, ui): one writer per intent.',
    }),
  },
  {
    files: [`{src,bench,e2e,scripts,test}/${CODE}`],
    ignores: ['src/infer/runtime/backend.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        { selector: 'ImportExpression[source.value=/^onnxruntime-/]', message: ORT.message },
        { selector: "CallExpression[callee.name='require'][arguments.0.value=/^onnxruntime-/]", message: ORT.message },
      ],
    },
  },
);
