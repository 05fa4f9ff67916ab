// What `Ref` and `Fn::GetAtt` of a template resource give before deployment (docs/iac.md).
// The values are the model ids and ARNs the mappers give the resources they produce, so a
// `!Ref OpenService` in a permissions resource names the service the service resource becomes,
// and `Resource: !Ref Conn` in a policy names the connection's model ARN.
//
// Deployed resources never have ids starting `iac:`, and IAM, EC2 and SNS names cannot hold `:`
// or `#`, so none of these values can name a real resource. They are built from the origin id
// (`net.yaml#OpenService`) alone: the same on every machine and run.

import { iacArn } from '../../../model/arn.js';
import type { CfnStack, IdentityOf, ResourceIdentity } from './template-types.js';

type StackEnv = Omit<CfnStack, 'resources'>;

export function originIdOf(stack: Pick<CfnStack, 'idBase'>, logicalId: string): string {
  return `${stack.idBase}#${logicalId}`;
}

/** The model id of an EC2 resource declared in the template: `iac:net.yaml#OpenService`. */
export function iacIdOf(stack: Pick<CfnStack, 'idBase'>, logicalId: string): string {
  return `iac:${originIdOf(stack, logicalId)}`;
}

/**
 * The name CloudFormation generates when the template gives none (`stack-LogicalId-RANDOM` after
 * deployment): a stand-in that cannot collide with a real name or with another stack's resource.
 */
export function generatedNameOf(stack: Pick<CfnStack, 'idBase'>, logicalId: string): string {
  return iacIdOf(stack, logicalId);
}

/** The service (ARN prefix) of each connection/host type. */
export const CONNECTION_SERVICE: Record<string, string> = {
  'AWS::CodeStarConnections::Connection': 'codestar-connections',
  'AWS::CodeConnections::Connection': 'codeconnections',
};
export const HOST_SERVICE: Record<string, string> = {
  'AWS::CodeConnections::Host': 'codeconnections',
  'AWS::CodeStarConnections::Host': 'codestar-connections',
};

/** The property holding a name CloudFormation would otherwise generate, for IAM types. */
export const IAM_NAME_PROPERTY: Record<string, string> = {
  'AWS::IAM::Role': 'RoleName',
  'AWS::IAM::User': 'UserName',
  'AWS::IAM::Group': 'GroupName',
  'AWS::IAM::ManagedPolicy': 'ManagedPolicyName',
};

function literalString(literals: Record<string, unknown>, key: string): string | undefined {
  const v = literals[key];
  return typeof v === 'string' && v !== '' ? v : undefined;
}

/** The IAM name of a principal or managed policy: its literal name property, else the stand-in. */
export function iamNameOf(stack: Pick<CfnStack, 'idBase'>, type: string, logicalId: string, literals: Record<string, unknown>): string {
  const prop = IAM_NAME_PROPERTY[type];
  return (prop !== undefined ? literalString(literals, prop) : undefined) ?? generatedNameOf(stack, logicalId);
}

/** The ARN an ELBv2 load balancer of the template gets: its Type picks `net`, `gwy` or `app`, as AWS writes them. */
export function loadBalancerArnOf(stack: StackEnv, logicalId: string, literals: Record<string, unknown>): string {
  const type = literalString(literals, 'Type')?.toLowerCase();
  const kind = type === 'network' ? 'net' : type === 'gateway' ? 'gwy' : 'app';
  return `arn:${stack.partition}:elasticloadbalancing:${stack.region}:${stack.account}:loadbalancer/${kind}/${iacIdOf(stack, logicalId)}`;
}

/** The ARN of an SNS topic of the template (`arn:aws:sns:R:A:iac:…`): not the topic's real name, which it may not have yet. */
export function topicArnOf(stack: StackEnv, logicalId: string): string {
  return `arn:${stack.partition}:sns:${stack.region}:${stack.account}:${iacIdOf(stack, logicalId)}`;
}

/**
 * `Fn::GetAtt X.Arn` of types no mapper models but that policies commonly name (a CI role's
 * `Resource: !GetAtt ArtifactBucket.Arn`): the ARN AWS gives the type, built around the resource's
 * `Ref` stand-in, so `!GetAtt Bucket.Arn` and `!Sub arn:aws:s3:::${Bucket}/*` agree. Without it a
 * policy naming any such resource would be unknown as a whole.
 */
const ARN_OF: Record<string, (s: StackEnv, name: string) => string> = {
  'AWS::S3::Bucket': (s, n) => `arn:${s.partition}:s3:::${n}`,
  'AWS::KMS::Key': (s, n) => `arn:${s.partition}:kms:${s.region}:${s.account}:key/${n}`,
  'AWS::Logs::LogGroup': (s, n) => `arn:${s.partition}:logs:${s.region}:${s.account}:log-group:${n}:*`,
  'AWS::SQS::Queue': (s, n) => `arn:${s.partition}:sqs:${s.region}:${s.account}:${n}`,
  'AWS::Lambda::Function': (s, n) => `arn:${s.partition}:lambda:${s.region}:${s.account}:function:${n}`,
  'AWS::DynamoDB::Table': (s, n) => `arn:${s.partition}:dynamodb:${s.region}:${s.account}:table/${n}`,
  'AWS::ECR::Repository': (s, n) => `arn:${s.partition}:ecr:${s.region}:${s.account}:repository/${n}`,
  'AWS::IAM::InstanceProfile': (s, n) => `arn:${s.partition}:iam::${s.account}:instance-profile/${n}`,
};

/**
 * Per type, from each type's "Return values" in the CloudFormation resource reference
 * (https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-template-resource-type-ref.html).
 * Only attributes whose value is fixed before deployment are given; the others (DnsEntries,
 * ConnectionStatus, CreationTimestamp, …) are absent, so the reader makes them Unresolved.
 */
export const identityOf: IdentityOf = (stack, type, logicalId, literals): ResourceIdentity => {
  const originId = originIdOf(stack, logicalId);
  const id = iacIdOf(stack, logicalId);
  const { partition, region, account } = stack;
  switch (type) {
    case 'AWS::EC2::VPCEndpointService':
      return { ref: id, attributes: { ServiceId: id } };
    case 'AWS::EC2::VPCEndpoint':
      return { ref: id, attributes: { Id: id } };
    case 'AWS::EC2::VPC':
      return { ref: id, attributes: { VpcId: id } };
    case 'AWS::EC2::Subnet': {
      const az = literalString(literals, 'AvailabilityZone');
      return { ref: id, attributes: { SubnetId: id, ...(az !== undefined ? { AvailabilityZone: az } : {}) } };
    }
    case 'AWS::EC2::SecurityGroup':
      return { ref: id, attributes: { GroupId: id } };
    case 'AWS::EC2::VPCEndpointConnectionNotification':
    case 'AWS::EC2::VPCEndpointServicePermissions':
      return { ref: id, attributes: {} };
    case 'AWS::CodeStarConnections::Connection':
    case 'AWS::CodeConnections::Connection': {
      const arn = iacArn('connection', partition, region, account, originId, CONNECTION_SERVICE[type]);
      return { ref: arn, attributes: { ConnectionArn: arn, ...(stack.accountKnown ? { OwnerAccountId: account } : {}) } };
    }
    case 'AWS::CodeConnections::Host':
    case 'AWS::CodeStarConnections::Host': {
      const arn = iacArn('host', partition, region, account, originId, HOST_SERVICE[type]);
      return { ref: arn, attributes: { HostArn: arn } };
    }
    case 'AWS::IAM::Role':
      return { ref: iamNameOf(stack, type, logicalId, literals), attributes: { Arn: iacArn('iamRole', partition, region, account, originId), RoleId: id } };
    case 'AWS::IAM::User':
      return { ref: iamNameOf(stack, type, logicalId, literals), attributes: { Arn: iacArn('iamUser', partition, region, account, originId) } };
    case 'AWS::IAM::Group':
      return { ref: iamNameOf(stack, type, logicalId, literals), attributes: { Arn: iacArn('iamGroup', partition, region, account, originId), GroupId: id } };
    case 'AWS::IAM::ManagedPolicy': {
      const arn = iacArn('iamPolicy', partition, region, account, originId);
      return { ref: arn, attributes: { PolicyArn: arn, PolicyId: id } };
    }
    case 'AWS::IAM::Policy':
      return { ref: id, attributes: { Id: id } };
    case 'AWS::SNS::Topic': {
      const arn = topicArnOf(stack, logicalId);
      return { ref: arn, attributes: { TopicArn: arn, TopicName: literalString(literals, 'TopicName') ?? id } };
    }
    // Ref: the name (as for IAM principals, the stand-in when the template writes none literally);
    // the ARN is built from the origin id, whatever the name.
    case 'AWS::CodeBuild::Project':
      return { ref: literalString(literals, 'Name') ?? id, attributes: { Arn: iacArn('buildProject', partition, region, account, originId) } };
    case 'AWS::CodePipeline::Pipeline':
      return { ref: literalString(literals, 'Name') ?? id, attributes: {} };
    case 'AWS::CodeBuild::SourceCredential': {
      const arn = iacArn('sourceCredential', partition, region, account, originId);
      return { ref: arn, attributes: { Arn: arn } };
    }
    case 'AWS::ElasticLoadBalancingV2::LoadBalancer': {
      const arn = loadBalancerArnOf(stack, logicalId, literals);
      return { ref: arn, attributes: { LoadBalancerArn: arn } };
    }
    default: {
      const arnOf = ARN_OF[type];
      return { ref: id, attributes: arnOf ? { Arn: arnOf(stack, id) } : {} };
    }
  }
};
