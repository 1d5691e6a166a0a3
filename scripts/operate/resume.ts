/**
 * `npm run resume`: see scripts/operate/pools/run.ts (and `npm run resume -- --help`).
 *
 *   npm run resume -- [options]
 */
import { runMain } from '../lib/cli';
import { main } from './pools/run';

runMain(() => main('resume', process.argv.slice(2), { out: (line) => console.log(line), env: process.env }));
