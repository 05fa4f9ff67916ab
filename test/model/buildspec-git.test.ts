import { describe, expect, it } from 'vitest';
import { buildspecGitCommands, gitInvocations } from '../../src/model/buildspec-git.js';

describe('gitInvocations', () => {
  it.each([
    ['git describe --tags', ['git describe']],
    ['export VERSION="$(git describe --tags --always)"', ['git describe']],
    ['VERSION=`git rev-parse --short HEAD` make', ['git rev-parse']],
    ['cd app && git log -1 --format=%H | tee rev.txt', ['git log']],
    ['FOO=1 sudo git tag -l', ['git tag']],
    ['if git diff --quiet HEAD~1; then echo same; fi', ['git diff']],
    ['/usr/bin/git status', ['git status']],
    ['git -c core.quotepath=off --no-pager log', ['git log']],
    ['git submodule update --init', ['git submodule']],
    ['git config user.email ci@example.com', ['git config']],
  ])('%s', (command, expected) => {
    expect(gitInvocations(command)).toEqual(expected);
  });

  it.each([
    ['echo "run git log to see history"'],
    ["echo 'git describe'"],
    ['grep -r "git rev-parse" docs/'],
    ['make # git describe runs in the Makefile'],
    ['git clone https://github.com/example-corp/tools.git'],
    ['git init && echo ok'],
    ['git --version'],
    ['git config --global user.name ci'],
    ['git -C /tmp/tools log'],
    ['echo git log'],
    ['legit describe'],
  ])('%s runs no git that needs a repository', (command) => {
    expect(gitInvocations(command)).toEqual([]);
  });

  it('stops at a bounded nesting of substitutions', () => {
    const deep = `${'$('.repeat(40)}git log${')'.repeat(40)}`;
    expect(gitInvocations(deep)).toEqual([]);
  });
});

describe('buildspecGitCommands', () => {
  it('reads commands and finally blocks of every phase, block scalars included', () => {
    const spec = [
      'version: 0.2',
      'phases:',
      '  install:',
      '    commands: ["npm ci"]',
      '  build:',
      '    commands:',
      '      - |',
      '        TAG=$(git describe --tags)',
      '        echo "building $TAG"',
      '      - \'git log -1 > CHANGES\'',
      '    finally:',
      '      - git status',
      'artifacts: { files: ["**/*"] }',
    ].join('\n');
    expect(buildspecGitCommands(spec)).toEqual({ read: true, commands: ['git describe', 'git log', 'git status'] });
  });

  it('ignores YAML comments and git outside phases', () => {
    expect(buildspecGitCommands('version: 0.2\n# git log\nenv: { variables: { X: "git describe" } }\nphases: { build: { commands: [make] } }\n')).toEqual({ read: true, commands: [] });
  });

  it('says what it cannot read', () => {
    expect(buildspecGitCommands('- not a mapping')).toMatchObject({ read: false });
    expect(buildspecGitCommands('phases: [')).toMatchObject({ read: false });
    expect(buildspecGitCommands('x'.repeat(256 * 1024 + 1))).toMatchObject({ read: false });
  });
});
