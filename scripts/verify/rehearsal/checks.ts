/**
 * What the rehearsal records as it goes: its phases (name, time, result) and its checks, among
 * them the ones that only name what the emulator does not model.
 */

export interface Phase {
  name: string;
  ms: number;
  ok: boolean;
  note: string;
}

export interface Check {
  area: string;
  what: string;
  ok: boolean;
  detail: string;
  /** A known emulator gap: reported, not failed. */
  gap?: boolean;
}

/** A rehearsal failure with a message of its own (no stack trace). */
export class RehearsalError extends Error {}

export class Recorder {
  readonly phases: Phase[] = [];
  readonly checks: Check[] = [];

  check(area: string, what: string, ok: boolean, detail: string, gap = false): void {
    this.checks.push({ area, what, ok, detail, gap });
  }

  /**
   * A property the emulator's CloudFormation does not apply (read in moto 5.2.5's
   * create_from_cloudformation_json for the type): nothing to assert against, so it is listed, not
   * counted as passed. The synth tests (test/lib) and the gates check these in the template.
   */
  notModelled(area: string, what: string, property: string): void {
    this.checks.push({
      area,
      what,
      ok: true,
      detail: `moto's CloudFormation does not apply ${property}`,
      gap: true,
    });
  }

  async phase<T>(name: string, fn: () => Promise<T>, note: (t: T) => string = () => ''): Promise<T> {
    const started = Date.now();
    console.log(`\n━━ rehearsal: ${name}`);
    try {
      const t = await fn();
      this.phases.push({ name, ms: Date.now() - started, ok: true, note: note(t) });
      return t;
    } catch (e) {
      this.phases.push({
        name,
        ms: Date.now() - started,
        ok: false,
        note: (e as Error).message.split('\n')[0],
      });
      throw e;
    }
  }
}
