import type { EnvironmentConfig } from '../../../../lib/settings/config';
import type { Recorder } from '../checks';
import type { EmulatorClients } from '../emulator';
import type { ResourceOutcome } from '../outcomes';

/** What every per-service check of the deployed stack reads, and where it records its results. */
export interface DeployedContext {
  readonly c: EmulatorClients;
  readonly config: EnvironmentConfig;
  /** The template's resources as the emulator created (or skipped) them. */
  readonly outcomes: readonly ResourceOutcome[];
  readonly r: Recorder;
}
