/**
 * A bare Stack for testing one construct alone, as aws-cdk-lib's own module tests do: no settings,
 * no other constructs, cdk.json's feature flags (so defaults match the app's).
 */
import { App, Stack, type StackProps } from 'aws-cdk-lib';
import { CDK_JSON_CONTEXT } from './fixtures';

export function bareStack(props: StackProps = {}): Stack {
  const app = new App({ context: CDK_JSON_CONTEXT, stackTraces: false });
  return new Stack(app, 'Test', props);
}
