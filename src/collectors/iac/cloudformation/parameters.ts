// `--iac-params FILE`: CloudFormation parameter files as the AWS CLI
// (`[{"ParameterKey": "K", "ParameterValue": "V"}]`, `aws cloudformation create-stack
// --parameters file://…`) and CodePipeline template configuration files
// (`{"Parameters": {"K": "V"}, "Tags": {…}, "StackPolicy": {…}}`) write them.
// https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/continuous-delivery-codepipeline-cfn-artifacts.html

import { UserError } from '../../../errors.js';
import { parseJsonText, readUserFile } from '../../../io/files.js';
import { parseJsonTree } from './parse-json.js';
import { get, LineIndex, setKey, type TNode } from './positions.js';
import { located } from '../../../errors.js';

const WHAT = 'CloudFormation parameter file';

export function readCloudFormationParameterFile(file: string): Record<string, string> {
  const text = readUserFile(file, WHAT, 'json');
  // Syntax errors as every JSON input reports them; then the tree, for the places of shape errors.
  parseJsonText(text, file, WHAT);
  const root = parseJsonTree(text, file, WHAT);
  const lines = new LineIndex(text);
  // Declared with its type so that a call narrows like a throw.
  const fail: (node: TNode, msg: string) => never = (node, msg) => {
    const p = lines.pos(node.start);
    throw new UserError(located(file, msg, p.line, p.col));
  };
  const out: Record<string, string> = {};
  const put = (keyNode: TNode, key: string, valueNode: TNode): void => {
    if (valueNode.kind !== 'scalar' || valueNode.value === null) fail(valueNode, `parameter ${key}: expected a string value`);
    if (Object.hasOwn(out, key)) fail(keyNode, `parameter ${key} is given twice`);
    setKey(out, key, String(valueNode.value));
  };
  if (root.kind === 'seq') {
    for (const item of root.items) {
      if (item.kind !== 'map') fail(item, 'expected {"ParameterKey": …, "ParameterValue": …}');
      const key = get(item, 'ParameterKey');
      if (!key || key.kind !== 'scalar' || typeof key.value !== 'string') fail(key ?? item, 'expected "ParameterKey" with a parameter name');
      const value = get(item, 'ParameterValue');
      if (value === undefined) {
        // UsePreviousValue names the deployed value, which a template scan cannot know.
        const previous = get(item, 'UsePreviousValue');
        if (previous) fail(previous, `parameter ${key.value}: UsePreviousValue is the deployed stack's value, which linkaudit cannot read; give ParameterValue`);
        fail(item, `parameter ${key.value}: expected "ParameterValue"`);
      }
      for (const k of item.keys) {
        if (!['ParameterKey', 'ParameterValue', 'UsePreviousValue', 'ResolvedValue'].includes(String(k.value))) fail(k, `unknown key ${JSON.stringify(String(k.value))} (a parameter is {"ParameterKey": …, "ParameterValue": …})`);
      }
      put(key, key.value, value);
    }
    return out;
  }
  if (root.kind === 'map') {
    const params = get(root, 'Parameters');
    for (const k of root.keys) {
      if (!['Parameters', 'Tags', 'StackPolicy'].includes(String(k.value))) fail(k, `unknown key ${JSON.stringify(String(k.value))} (a template configuration file has Parameters, Tags and StackPolicy)`);
    }
    if (params === undefined) fail(root, 'expected "Parameters" (a template configuration file) or a list of {"ParameterKey", "ParameterValue"}');
    if (params.kind !== 'map') fail(params, '"Parameters" must map parameter names to values');
    params.keys.forEach((k, i) => put(k, String(k.value), params.values[i] as TNode));
    return out;
  }
  return fail(root, 'expected a list of {"ParameterKey", "ParameterValue"} (AWS CLI) or {"Parameters": {…}} (CodePipeline template configuration)');
}
