/**
 * The pod sizing the Job chart is checked against. The arithmetic moved to the ground floor,
 * lib/settings/sizing.ts, because the settings now reject at synth a node type the pods can never
 * fit on (lib/settings/pool-rules.ts); this module keeps the chart's and the tests' imports.
 */
export * from '../lib/settings/sizing';
