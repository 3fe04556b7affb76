/** Heroku region -> nearest AWS region (Common Runtime and Private Spaces regions). */
import {MigrateError} from './errors.ts';

const REGIONS: Record<string, string> = {
  us: 'us-east-1',
  virginia: 'us-east-1',
  oregon: 'us-west-2',
  eu: 'eu-west-1',
  dublin: 'eu-west-1',
  frankfurt: 'eu-central-1',
  london: 'eu-west-2',
  tokyo: 'ap-northeast-1',
  sydney: 'ap-southeast-2',
  montreal: 'ca-central-1',
  mumbai: 'ap-south-1',
  singapore: 'ap-southeast-1',
};

export function awsRegionFor(herokuRegion: string | undefined): string {
  return (herokuRegion && REGIONS[herokuRegion]) || 'us-east-1';
}

/** --region, else AWS_REGION / AWS_DEFAULT_REGION, else the plan's region; refused when it is not a region name. */
export function resolveRegion(flag: string | undefined, env: Record<string, string | undefined>, planned: string): string {
  const region = flag ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? planned;
  if (!/^[a-z]{2}(-[a-z]+)+-\d{1,2}$/.test(region)) {
    throw new MigrateError('usage', `'${region}' is not an AWS region name.`, {hint: 'Use a region such as us-east-1 (--region or AWS_REGION).'});
  }
  return region;
}
