/**
 * `tsx bench/adaptNode.ts <card> <data folder> <steps> <out dir>`: one `npm run adapt` on the folder in
 * this process; prints a JSON line with the training steps per second and the process's peak RSS.
 */
import { adaptFolder } from '../src/infer/jobs/adaptFolder';

const [card, data, steps, out] = process.argv.slice(2);
const r = (await adaptFolder(['--model', card, '--data', data, '--out', 'bench-adapted', '--dir', out, '--steps', steps, '--threads', '2'], () => {}))!;
console.log(JSON.stringify({ steps: Number(steps), trainSeconds: r.trainSeconds, stepsPerSecond: Number(steps) / r.trainSeconds, peakRssMb: process.resourceUsage().maxRSS / 1024, before: r.before.mean, after: r.after.mean }));
process.exit(0);
