import { App, Aspects, CfnResource, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { OwnedHandlerLogs } from '../../lib/owned-handler-logs';
import { bareStack } from './bare-stack';
import { CDK_JSON_CONTEXT } from './fixtures';

/** A raw Lambda function under a provider construct, as CDK's singleton custom-resource providers build it. */
function rawHandler(stack: Stack): CfnResource {
  const provider = new Construct(stack, 'Provider');
  return new CfnResource(provider, 'Handler', {
    type: 'AWS::Lambda::Function',
    properties: {
      Runtime: 'nodejs22.x',
      Handler: 'index.handler',
      Role: 'arn:aws:iam::123456789012:role/handler',
      Code: { ZipFile: 'exports.handler = async () => {};' },
    },
  });
}

function l2Function(stack: Stack): lambda.Function {
  return new lambda.Function(stack, 'Fn', {
    runtime: lambda.Runtime.PYTHON_3_13,
    handler: 'index.handler',
    code: lambda.Code.fromInline('def handler(event, context):\n    return None\n'),
  });
}

function withAspect(stack: Stack): Template {
  Aspects.of(stack).add(new OwnedHandlerLogs());
  return Template.fromStack(stack);
}

interface TemplateResource {
  Type: string;
  DependsOn?: string[];
  DeletionPolicy?: string;
  UpdateReplacePolicy?: string;
  Properties: Record<string, unknown>;
}
type Resources = Record<string, TemplateResource>;

describe('OwnedHandlerLogs', () => {
  test('a raw handler logs to an owned group that exists before it and is deleted with the stack', () => {
    const stack = bareStack();
    rawHandler(stack);
    const resources = withAspect(stack).toJSON().Resources as Resources;
    const groups = Object.entries(resources).filter(([, r]) => r.Type === 'AWS::Logs::LogGroup');
    expect(groups).toHaveLength(1);
    const [groupId, group] = groups[0];
    expect(group.DeletionPolicy).toBe('Delete');
    expect(group.Properties.RetentionInDays).toBe(30);
    const [fn] = Object.values(resources).filter((r) => r.Type === 'AWS::Lambda::Function');
    expect(fn.Properties.LoggingConfig).toEqual({ LogGroup: { Ref: groupId } });
    expect(fn.DependsOn).toContain(groupId);
  });

  test('visiting a handler twice adds no second log group', () => {
    const stack = bareStack();
    const handler = rawHandler(stack);
    const aspect = new OwnedHandlerLogs();
    aspect.visit(handler);
    expect(() => aspect.visit(handler)).not.toThrow();
    expect(Object.keys(Template.fromStack(stack).findResources('AWS::Logs::LogGroup'))).toHaveLength(1);
  });

  test("an L2 function's CDK-managed log group is kept as its only one, deleted after a month", () => {
    const stack = bareStack();
    const fn = l2Function(stack);
    const resources = withAspect(stack).toJSON().Resources as Resources;
    const groups = Object.entries(resources).filter(([, r]) => r.Type === 'AWS::Logs::LogGroup');
    expect(groups).toHaveLength(1);
    const [groupId, group] = groups[0];
    expect(groupId).toBe(stack.getLogicalId(fn.node.findChild('LogGroup').node.defaultChild as CfnResource));
    expect(group.DeletionPolicy).toBe('Delete');
    expect(group.UpdateReplacePolicy).toBe('Delete');
    expect(group.Properties.RetentionInDays).toBe(30);
  });

  test('an L2 function without the CDK-managed log group flag gets an owned one', () => {
    const app = new App({
      context: { ...CDK_JSON_CONTEXT, '@aws-cdk/aws-lambda:useCdkManagedLogGroup': false },
      stackTraces: false,
    });
    const stack = new Stack(app, 'Test');
    l2Function(stack);
    const resources = withAspect(stack).toJSON().Resources as Resources;
    const groups = Object.entries(resources).filter(([, r]) => r.Type === 'AWS::Logs::LogGroup');
    expect(groups).toHaveLength(1);
    const [fn] = Object.values(resources).filter((r) => r.Type === 'AWS::Lambda::Function');
    expect(fn.Properties.LoggingConfig).toEqual({ LogGroup: { Ref: groups[0][0] } });
  });
});
