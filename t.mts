import { loadCloudFormationFile } from './src/collectors/iac/cloudformation/index.ts';
import { readFileSync } from 'node:fs';
for (const f of process.argv.slice(2)) {
  const load = await loadCloudFormationFile(f, readFileSync(f, 'utf8'), { parameters: {}, region: 'eu-west-1', account: '111122223333', now: new Date(0) }, { identityOf: (s, t, id) => ({ ref: `iac:${s.idBase}#${id}`, attributes: { ServiceName: `svc-${id}` } }), mapStack: (s) => { console.log(JSON.stringify({ unexpanded: s.unexpanded, idBase: s.idBase, res: s.resources.map((r) => [r.logicalId, r.location.line, r.location.endLine, r.properties]) })); return { connections: [], hosts: [], vpcEndpoints: [], endpointServices: [], iamUsers: [], iamGroups: [], iamRoles: [], iamPolicies: [], coverage: [], unmapped: 0 }; } });
  console.log(JSON.stringify(load.units.map((u) => u.worlds.map((w) => [w.label, w.snapshot.coverage]))), JSON.stringify(load.inputs));
}
