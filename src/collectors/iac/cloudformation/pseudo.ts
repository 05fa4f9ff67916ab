// Pseudo-parameters from the stack's environment.
// https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/pseudo-parameter-reference.html

import { IAC_UNKNOWN_ACCOUNT, IAC_UNKNOWN_REGION } from '../../../model/arn.js';
import { Unresolved, type CfnValue } from './template-types.js';
import { NO_VALUE, type Resolved } from './intrinsics.js';

export interface StackEnv {
  partition: string;
  account: string;
  accountKnown: boolean;
  region: string;
  regionKnown: boolean;
  stackName?: string;
}

export function stackEnv(account: string | undefined, region: string | undefined, stackName?: string): StackEnv {
  return {
    partition: partitionOf(region),
    account: account ?? IAC_UNKNOWN_ACCOUNT,
    accountKnown: account !== undefined,
    region: region ?? IAC_UNKNOWN_REGION,
    regionKnown: region !== undefined,
    ...(stackName !== undefined ? { stackName } : {}),
  };
}

/** The partition a region belongs to; `aws` when the region is not known (the commercial partition). */
export function partitionOf(region: string | undefined): string {
  if (region === undefined) return 'aws';
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  if (region.startsWith('us-isob-')) return 'aws-iso-b';
  if (region.startsWith('us-iso-')) return 'aws-iso';
  if (region.startsWith('eu-isoe-')) return 'aws-iso-e';
  if (region.startsWith('us-isof-')) return 'aws-iso-f';
  if (region.startsWith('eusc-')) return 'aws-eusc';
  return 'aws';
}

const URL_SUFFIX: Record<string, string> = {
  'aws-cn': 'amazonaws.com.cn',
  'aws-iso': 'c2s.ic.gov',
  'aws-iso-b': 'sc2s.sgov.gov',
};

export function pseudoValue(name: string, env: StackEnv): Resolved | undefined {
  switch (name) {
    case 'AWS::AccountId':
      return env.account;
    case 'AWS::Region':
      return env.region;
    case 'AWS::Partition':
      return env.partition;
    case 'AWS::URLSuffix':
      return URL_SUFFIX[env.partition] ?? 'amazonaws.com';
    case 'AWS::StackName':
      return env.stackName ?? new Unresolved('Ref', 'AWS::StackName: the stack name is chosen at deployment');
    case 'AWS::StackId':
      return new Unresolved('Ref', 'AWS::StackId is known only after deployment');
    case 'AWS::NotificationARNs':
      return new Unresolved('Ref', 'AWS::NotificationARNs are chosen at deployment');
    case 'AWS::NoValue':
      return NO_VALUE;
    default:
      return undefined;
  }
}

export type { CfnValue };
