/** Heroku region -> nearest AWS region (Common Runtime and Private Spaces regions). */
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
