// `--iac-params FILE`: CloudFormation parameter files as the AWS CLI
// (`[{"ParameterKey": "K", "ParameterValue": "V"}]`) and CodePipeline template configuration files
// (`{"Parameters": {"K": "V"}, "Tags": {…}}`) write them.
// Contract only: implemented with issue 12's CloudFormation work.

export function readCloudFormationParameterFile(_file: string): Record<string, string> {
  throw new Error('parameter files not built yet');
}
