/**
 * `npm run adapt -- --model models/<name>.json --data <folder> --out <name> [--steps N] [--holdout <case>]`:
 * teaches a model a site's corrected scans on a workstation, as the app does in the browser
 * (jobs/adaptFolder.ts). Exit code 2 with one line on bad input.
 */
import { pathToFileURL } from 'node:url';
import { adaptFolder } from '../jobs/adaptFolder';
import { InputError } from '../runtime/loadModel';
import { ArgsError } from '../../util/args';

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  adaptFolder(process.argv.slice(2)).then(
    () => process.exit(0),
    (e: unknown) => {
      console.error(`adapt: ${(e as Error).message}`);
      process.exit(e instanceof ArgsError || e instanceof InputError ? 2 : 1);
    },
  );
}
