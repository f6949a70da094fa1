#!/usr/bin/env node
/**
 * The system packages the tests need, installed where this machine allows (Debian, as root), else one
 * line naming the package to install. `npm test` runs this first; `npm start` needs none of them.
 *
 *   chromium          the browser the Playwright specs drive (/usr/bin/chromium)
 *   orthanc, orthanc-dicomweb   the archive the DICOMweb specs talk to (scripts/orthanc.mjs)
 *   dicom3tools       dciodvfy, which validates every DICOM SEG the project writes
 */
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';

const NEEDS = [
  { pkg: 'chromium', has: () => existsSync('/usr/bin/chromium'), extra: ['fonts-dejavu-core'] },
  { pkg: 'orthanc', has: () => existsSync('/usr/sbin/Orthanc') || existsSync('/usr/bin/Orthanc') },
  { pkg: 'orthanc-dicomweb', has: () => existsSync('/usr/share/orthanc/plugins/libOrthancDicomWeb.so') },
  { pkg: 'dicom3tools', has: () => existsSync('/usr/bin/dciodvfy') },
];

const missing = NEEDS.filter((n) => !n.has());
if (missing.length === 0) process.exit(0);
const pkgs = missing.flatMap((n) => [n.pkg, ...(n.extra ?? [])]);
const root = typeof process.getuid === 'function' && process.getuid() === 0;
const apt = existsSync('/usr/bin/apt-get');
if (!root || !apt) {
  console.error(`The tests need these system packages: apt-get install ${pkgs.join(' ')} (${!apt ? 'no apt-get here: install their equivalents' : 'run as root, or install them first'})`);
  process.exit(1);
}
console.log(`installing system packages for the tests: ${pkgs.join(' ')}`);
const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
const run = (args) => spawnSync('apt-get', args, { stdio: ['ignore', 'ignore', 'inherit'], env }).status === 0;
if (!run(['install', '-y', '-qq', '--no-install-recommends', ...pkgs]) && !(run(['update', '-qq']) && run(['install', '-y', '-qq', '--no-install-recommends', ...pkgs]))) {
  console.error(`Could not install ${pkgs.join(' ')} with apt-get; install them and run the tests again`);
  process.exit(1);
}
const still = NEEDS.filter((n) => !n.has()).map((n) => n.pkg);
if (still.length) {
  console.error(`Still missing after apt-get: ${still.join(' ')}`);
  process.exit(1);
}
