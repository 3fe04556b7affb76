/** Stack and buildpacks -> how the container image is built. */
export interface BuildPlan {
  strategy: 'dockerfile' | 'cloud-native-buildpacks';
  builder?: string;
  buildpacks: string[];
  command: string;
}

const BUILDERS: Record<string, string> = {
  'heroku-24': 'heroku/builder:24',
  'heroku-22': 'heroku/builder:22',
  'heroku-20': 'heroku/builder:22',
};
const LANGS = ['nodejs', 'python', 'ruby', 'java', 'go', 'php', 'scala', 'gradle', 'clojure', 'dotnet'];

/** Classic buildpack (URL, urn or short name) -> Cloud Native Buildpack id, if Heroku ships one. */
export function cnbFor(buildpack: string): string | undefined {
  const name = buildpack.toLowerCase();
  for (const lang of LANGS) {
    if (name === `heroku/${lang}` || name.includes(`heroku-buildpack-${lang}`) || name === `urn:buildpack:heroku/${lang}`) return `heroku/${lang}`;
  }
  return undefined;
}

export function planBuild(input: {app: string; stack?: string; buildpacks: string[]; hasDockerfile?: boolean}): {build: BuildPlan; warnings: string[]; manualSteps: string[]} {
  const warnings: string[] = [];
  const manualSteps: string[] = [];
  if (input.hasDockerfile || input.stack === 'container') {
    return {
      build: {strategy: 'dockerfile', buildpacks: [], command: `docker build --platform linux/amd64 -t ${input.app}:<git-sha> .`},
      warnings,
      manualSteps,
    };
  }
  const stack = input.stack ?? 'heroku-24';
  let builder = BUILDERS[stack];
  if (!builder) {
    builder = 'heroku/builder:24';
    warnings.push(`Stack '${stack}' has no matching Heroku builder; the plan uses ${builder}. Test the image before the shift.`);
  } else if (stack === 'heroku-20') {
    warnings.push('Stack heroku-20 reached end of life; the plan builds on heroku/builder:22.');
  }
  const buildpacks: string[] = [];
  for (const bp of input.buildpacks) {
    const cnb = cnbFor(bp);
    if (cnb) buildpacks.push(cnb);
    else {
      warnings.push(`Buildpack '${bp}' has no Cloud Native Buildpack equivalent known to the tool.`);
      manualSteps.push(`Replace buildpack '${bp}' with a CNB or a Dockerfile step.`);
    }
  }
  const flags = buildpacks.map((b) => ` --buildpack ${b}`).join('');
  return {
    build: {strategy: 'cloud-native-buildpacks', builder, buildpacks, command: `pack build ${input.app}:<git-sha> --builder ${builder}${flags} --platform linux/amd64`},
    warnings,
    manualSteps,
  };
}
