/**
 * `npm run pause`: see scripts/operate/pools/run.ts (and `npm run pause -- --help`).
 *
 *   npm run pause -- [options]
 */
import { runMain } from '../lib/cli';
import { main } from './pools/run';

runMain(() => main('pause', process.argv.slice(2), { out: (line) => console.log(line), env: process.env }));
