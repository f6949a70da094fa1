/** `npm run gradcheck`: one line per op, `gradcheck <op> <maxRelErr> PASS|FAIL`; exit 1 if any fails. */
import { checkGradient } from '../src/trainer/gradcheck';
import { GRAD_CASES } from '../src/trainer/gradcheckCases';

let failed = 0;
for (const c of GRAD_CASES) {
  let line: string;
  try {
    const r = await checkGradient(c);
    if (!r.pass) failed++;
    line = `gradcheck ${r.name} ${r.maxRelErr.toExponential(2)} ${r.pass ? 'PASS' : 'FAIL'}`;
  } catch (e) {
    failed++;
    line = `gradcheck ${c.name} NaN FAIL (${(e as Error).message})`;
  }
  console.log(line);
}
console.log(`${GRAD_CASES.length - failed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
