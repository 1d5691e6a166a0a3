/** The rehearsal's closing report: phases, resource types, outputs, checks and the summary line. */
import { table } from '../../lib/table';
import type { Recorder } from './checks';
import {
  checkOutputs,
  type ResourceOutcome,
  type shimmedDeleteTypes,
  summarizeTypes,
  type Template,
} from './outcomes';

export function report(
  r: Recorder,
  real: Template,
  emu: Template,
  outcomes: readonly ResourceOutcome[],
  outputs: Record<string, string>,
  shim: ReturnType<typeof shimmedDeleteTypes>,
  totalMs: number,
) {
  const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
  console.log('\nPhases');
  console.log(
    table(
      ['phase', 'result', 'time', 'note'],
      r.phases.map((p) => [p.name, p.ok ? 'ok' : 'FAIL', s(p.ms), p.note]),
    ),
  );

  console.log('\nResource types: real template vs emulator build vs what the emulator did');
  const types = summarizeTypes(real, emu, outcomes);
  console.log(
    table(
      ['type', 'real', 'emulator build', 'created', 'skipped by moto', 'NOT created'],
      types.map((t) => [
        t.type,
        String(t.real),
        String(t.emulatorBuild),
        String(t.created),
        String(t.skipped),
        String(t.notCreated),
      ]),
    ),
  );
  const leftOut = types.filter((t) => t.emulatorBuild < t.real);
  console.log(
    `\n  left out by the emulator build (-c emulator=true): ${leftOut.map((t) => `${t.type} x${t.real - t.emulatorBuild}`).join(', ') || 'nothing'}`,
  );
  const skipped = [
    ...new Set(outcomes.filter((o) => o.outcome === 'skipped by emulator').map((o) => o.type)),
  ];
  console.log(
    `  skipped by moto (logged "No Moto CloudFormation support"): ${skipped.join(', ') || 'nothing'}`,
  );
  const notCreated = outcomes.filter((o) => o.outcome === 'NOT CREATED');
  if (notCreated.length > 0) {
    console.log(
      `  NOT CREATED although moto implements the type: ${notCreated.map((o) => `${o.logicalId} (${o.type})`).join(', ')}`,
    );
  }

  console.log('\nOutputs of the emulator deploy');
  console.log(
    table(
      ['output', 'value', 'note'],
      checkOutputs(emu, outcomes, outputs).map((o) => [
        o.name,
        o.value === undefined ? '(none)' : o.value.length > 60 ? `${o.value.slice(0, 57)}...` : o.value,
        o.dependsOnSkipped.length > 0
          ? `refers to ${o.dependsOnSkipped.join(', ')}, not created by the emulator`
          : '',
      ]),
    ),
  );

  console.log('\nChecks');
  console.log(
    table(
      ['area', 'check', 'result', 'detail'],
      r.checks.map((x) => [
        x.area,
        x.what,
        x.gap ? 'not modelled' : x.ok ? 'ok' : 'FAIL',
        x.detail.length > 90 ? `${x.detail.slice(0, 87)}...` : x.detail,
      ]),
    ),
  );
  console.log(
    `\nCloudFormation deletes the rehearsal supplied to moto (it has none for ${shim.types.length} EC2 types; scripts/verify/rehearsal/moto-shims):` +
      ` ${[...shim.deleted].map(([t, n]) => `${t} x${n}`).join(', ') || 'none needed'}`,
  );
  const failed = r.checks.filter((x) => !x.ok).length + notCreated.length;
  const gaps = r.checks.filter((x) => x.gap).length;
  console.log(`\n${gaps} check(s) name what the emulator does not model: listed above, counted as skipped.`);
  if (notCreated.length > 0)
    console.log(
      `${notCreated.length} resource(s) of types moto implements were NOT created: counted as failed.`,
    );
  console.log(`rehearsal took ${s(totalMs)}`);
  // The plain closing line test runners print, so CI logs read the same for every suite.
  console.log(
    `rehearsal: ${r.checks.length - gaps - (failed - notCreated.length)} passed, ${failed} failed, ${gaps} skipped`,
  );
}
