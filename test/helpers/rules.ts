/** A valid user rule (one-zone endpoint services) for tests that break it in one place. */
export const RULE_TEMPLATE = `id: ID
title: Endpoint service is in one zone only
severity: low
resource: endpointService
description: The endpoint service is offered in a single Availability Zone.
rationale: One zone down takes every consumer down with it.
remediation:
  text: Add a subnet in another zone to the load balancer.
references: [https://docs.aws.amazon.com/vpc/latest/privatelink/create-endpoint-service.html]
tags: [test]
fail: size(resource.availabilityZones) < 2
message: '"one zone: " + resource.id'
`;

export function ruleYaml(id: string, edit: (s: string) => string = (s) => s): string {
  return edit(RULE_TEMPLATE.replace('ID', id));
}
