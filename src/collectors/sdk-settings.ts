// The client settings the SDK would resolve for every client, resolved once per collection.
//
// Each SDK client resolves its settings itself: FIPS and dual-stack endpoints, the defaults mode,
// the user-agent app id, the auth scheme preference and the service's configured endpoint
// (AWS_ENDPOINT_URL_<SERVICE>, a profile's `services` section). Each is a chain of providers
// (environment, then the shared config files, then a default) in which every link that finds
// nothing throws and is caught, and a collection makes a client per service, region and account:
// 1,000 accounts x 17 regions is ~70,000 clients resolving the same values. So the values are
// read once, through the SDK's own providers (a probe client of each service, as configured for
// this process: AWS_PROFILE and the environment as the AWS CLI reads them), and every client is
// given the values instead of the chains. The caller's credentials likewise: one default chain,
// shared, rather than one per client.
import { CodeBuildClient } from '@aws-sdk/client-codebuild';
import { CodePipelineClient } from '@aws-sdk/client-codepipeline';
import { CodeStarConnectionsClient } from '@aws-sdk/client-codestar-connections';
import { EC2Client } from '@aws-sdk/client-ec2';
import { IAMClient } from '@aws-sdk/client-iam';
import { OrganizationsClient } from '@aws-sdk/client-organizations';
import { STSClient } from '@aws-sdk/client-sts';

export interface SdkSettings {
  /** Given to every client: providers of the values resolved (constant from now on). */
  shared: Record<string, unknown>;
  /** Per client class: its configured endpoint, or none (then the client does not look for one again). */
  endpoints: ReadonlyMap<Function, string | undefined>;
}

type Probe = { config: Record<string, unknown>; destroy(): void };
type ProbeClass = new (config: Record<string, unknown>) => Probe;

/** The classes clients.ts makes; a class not listed here resolves its own settings. */
const CLIENTS: readonly ProbeClass[] = [EC2Client, CodeStarConnectionsClient, CodePipelineClient, CodeBuildClient, IAMClient, STSClient, OrganizationsClient] as unknown as ProbeClass[];

/** The settings every client takes from the same chains, whatever its service. */
const SHARED_KEYS = ['useFipsEndpoint', 'useDualstackEndpoint', 'userAgentAppId', 'authSchemePreference', 'defaultsMode'] as const;

const constant =
  <T>(value: T) =>
  (): Promise<T> =>
    Promise.resolve(value);

async function read(config: Record<string, unknown>, key: string): Promise<unknown> {
  const value = config[key];
  return typeof value === 'function' ? (value as () => Promise<unknown>)() : value;
}

/**
 * `region` only builds the probes: no setting resolved here depends on it (a FIPS region name,
 * the one exception, is refused by --region's syntax).
 */
export async function resolveSdkSettings(region: string): Promise<SdkSettings> {
  const shared: Record<string, unknown> = {};
  const endpoints = new Map<Function, string | undefined>();
  for (const Client of CLIENTS) {
    const probe = new Client({ region });
    try {
      if (Client === CLIENTS[0]) {
        for (const key of SHARED_KEYS) {
          const value = await read(probe.config, key);
          // The defaults mode is given as the mode it resolved to ('auto' has already been decided).
          shared[key] = key === 'defaultsMode' ? value : constant(value);
        }
      }
      const configured = probe.config.serviceConfiguredEndpoint as (() => Promise<string | undefined>) | undefined;
      endpoints.set(Client, configured ? await configured() : undefined);
    } finally {
      probe.destroy();
    }
  }
  return { shared, endpoints };
}

/** What a client of this class is given: the shared values, and its endpoint (or that it has none). */
export function clientSettings(settings: SdkSettings, Client: Function): Record<string, unknown> {
  if (!settings.endpoints.has(Client)) return settings.shared;
  const endpoint = settings.endpoints.get(Client);
  return { ...settings.shared, ...(endpoint !== undefined ? { endpoint } : { ignoreConfiguredEndpointUrls: true }) };
}
