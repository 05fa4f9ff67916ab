// Shared by the live EC2 collector and the IaC adapters (which must not load the EC2 SDK client).

/**
 * The principal's type when the answer leaves it out (moto 5.2 does): the principal names it. The
 * rules read `*`/All as "anyone"; a type that cannot be told stays "Unknown", and the principal is
 * kept, so that it is still judged by what it is.
 */
export function principalTypeOf(principal: string): string {
  if (principal === '*') return 'All';
  if (/^arn:aws[a-z-]*:iam::[0-9]{12}:root$/.test(principal) || /^[0-9]{12}$/.test(principal)) return 'Account';
  if (/^arn:aws[a-z-]*:iam::[0-9]{12}:role\//.test(principal)) return 'Role';
  if (/^arn:aws[a-z-]*:iam::[0-9]{12}:user\//.test(principal)) return 'User';
  if (/^arn:aws[a-z-]*:organizations::[0-9]{12}:ou\//.test(principal)) return 'OrganizationUnit';
  if (/^[a-z0-9][a-z0-9.-]*\.amazonaws\.com(\.cn)?$/.test(principal)) return 'Service';
  return 'Unknown';
}
