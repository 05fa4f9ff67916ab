// A synthetic plan of N mapped resources with its .tf file, for the benchmark (bench:iac) and
// measurements: endpoint services with permissions and notifications, interface endpoints, roles
// with inline policies and attachments, connections — references unknown as at a first plan.

export interface GeneratedPlan {
  plan: string;
  tf: string;
}

export function generatePlan(n: number): GeneratedPlan {
  const changes: unknown[] = [];
  const config: unknown[] = [];
  const tf: string[] = ['provider "aws" {\n  region = "us-east-1"\n}\n'];
  const use = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'codeconnections:UseConnection', Resource: '*' }] });
  const trust = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'codebuild.amazonaws.com' }, Action: 'sts:AssumeRole' }] });
  const add = (type: string, name: string, after: Record<string, unknown>, unknown: Record<string, unknown>, expressions: Record<string, unknown>, body: string): void => {
    changes.push({ address: `${type}.${name}`, mode: 'managed', type, name, provider_name: 'registry.terraform.io/hashicorp/aws', change: { actions: ['create'], before: null, after, after_unknown: unknown, before_sensitive: false, after_sensitive: {} } });
    config.push({ address: `${type}.${name}`, mode: 'managed', type, name, provider_config_key: 'aws', expressions, schema_version: 0 });
    tf.push(`resource "${type}" "${name}" {\n${body}}\n`);
  };
  const ref = (...r: string[]) => ({ references: r });
  for (let i = 0; changes.length < n; i++) {
    add('aws_vpc_endpoint_service', `svc${i}`, { acceptance_required: i % 2 === 0 }, { id: true, arn: true, service_name: true, availability_zones: true, state: true }, { acceptance_required: { constant_value: i % 2 === 0 } }, `  acceptance_required = ${i % 2 === 0}\n`);
    add('aws_vpc_endpoint_service_allowed_principal', `p${i}`, { principal_arn: i % 3 === 0 ? '*' : 'arn:aws:iam::444455556666:root' }, { id: true, vpc_endpoint_service_id: true }, { vpc_endpoint_service_id: ref(`aws_vpc_endpoint_service.svc${i}.id`, `aws_vpc_endpoint_service.svc${i}`) }, `  vpc_endpoint_service_id = aws_vpc_endpoint_service.svc${i}.id\n  principal_arn = "*"\n`);
    add('aws_vpc_endpoint_connection_notification', `n${i}`, { connection_events: ['Connect'] }, { id: true, vpc_endpoint_service_id: true, connection_notification_arn: true }, { vpc_endpoint_service_id: ref(`aws_vpc_endpoint_service.svc${i}.id`, `aws_vpc_endpoint_service.svc${i}`) }, `  vpc_endpoint_service_id = aws_vpc_endpoint_service.svc${i}.id\n`);
    add('aws_vpc_endpoint', `e${i}`, { service_name: 'com.amazonaws.us-east-1.codeconnections.api', vpc_endpoint_type: 'Interface', vpc_id: 'vpc-0123456789abcdef0', private_dns_enabled: i % 2 === 0 }, { id: true, policy: true, state: true }, {}, '  service_name = "com.amazonaws.us-east-1.codeconnections.api"\n  vpc_endpoint_type = "Interface"\n');
    add('aws_iam_role', `r${i}`, { name: `role-${i}`, assume_role_policy: trust, path: '/' }, { arn: true, id: true, inline_policy: true, managed_policy_arns: true }, {}, `  name = "role-${i}"\n  assume_role_policy = file("trust.json")\n`);
    add('aws_iam_role_policy', `rp${i}`, { name: 'use', role: `role-${i}`, policy: use }, { id: true }, {}, `  role = aws_iam_role.r${i}.name\n  policy = file("use.json")\n`);
    add('aws_iam_role_policy_attachment', `ra${i}`, { role: `role-${i}`, policy_arn: 'arn:aws:iam::aws:policy/AWSCodeArtifactReadOnlyAccess' }, { id: true }, {}, `  role = aws_iam_role.r${i}.name\n  policy_arn = "arn:aws:iam::aws:policy/AWSCodeArtifactReadOnlyAccess"\n`);
    add('aws_codestarconnections_connection', `c${i}`, { name: `conn-${i}`, provider_type: 'GitHub' }, { arn: true, id: true, connection_status: true }, {}, `  name = "conn-${i}"\n  provider_type = "GitHub"\n`);
  }
  const plan = { format_version: '1.2', terraform_version: '1.9.8', resource_changes: changes.slice(0, n), configuration: { provider_config: { aws: { name: 'aws', expressions: { region: { constant_value: 'us-east-1' } } } }, root_module: { resources: config.slice(0, n) } } };
  return { plan: JSON.stringify(plan), tf: tf.join('\n') };
}
