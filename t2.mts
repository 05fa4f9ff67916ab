import { bigTemplate } from './test/fixtures/iac/cloudformation/generate-big.ts';
import { loadCloudFormationStack } from './src/collectors/iac/cloudformation/index.ts';
import { parseTemplate } from './src/collectors/iac/cloudformation/stack.ts';
const { yaml, json } = bigTemplate(5000);
const opts = { parameters: {}, maxTemplateBytes: 64 * 1024 * 1024, region: 'eu-west-1', account: '111122223333' };
for (let r = 0; r < 3; r++) {
  for (const [n, t] of [['yaml', yaml], ['json', json]] as const) {
    const t0 = performance.now();
    parseTemplate(`big.${n}`, t, opts.maxTemplateBytes);
    const t1 = performance.now();
    loadCloudFormationStack(`big.${n}`, t, { format: 'cloudformation', idBase: `big.${n}`, parameters: {}, region: 'eu-west-1', account: '111122223333' }, opts);
    const t2 = performance.now();
    console.log(n, 'parse+check', (t1 - t0).toFixed(0), 'ms; full read (parse+worlds+resolve, stub map)', (t2 - t1).toFixed(0), 'ms');
  }
}
