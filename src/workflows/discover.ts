/** Reads a live Heroku app: all discovery calls run concurrently (the slug needs the release list first). */
import {assembleAppModel, currentRelease} from '../domain/discovery.ts';
import type {AppModel} from '../domain/model.ts';
import type {HerokuSource} from '../ports/heroku.ts';

/** @param fingerprint keyed fingerprint of config values; without it, names only (see domain/fingerprint.ts) */
export async function discoverApp(heroku: HerokuSource, app: string, fingerprint?: (value: string) => string): Promise<AppModel> {
  const releasesAndSlug = heroku.listReleases(app).then(async (releases) => {
    const slugId = currentRelease(releases)?.slug?.id;
    return {releases, slug: slugId ? await heroku.getSlug(app, slugId) : null};
  });
  const [info, configVars, formation, addons, attachments, domains, buildpacks, dynoSizes, logDrains, rs] = await Promise.all([
    heroku.getApp(app),
    heroku.getConfigVars(app),
    heroku.listFormation(app),
    heroku.listAddons(app),
    heroku.listAttachments(app),
    heroku.listDomains(app),
    heroku.listBuildpacks(app),
    heroku.listDynoSizes(),
    heroku.listLogDrains(app),
    releasesAndSlug,
  ]);
  return assembleAppModel({app: info, configVars, formation, addons, attachments, domains, buildpacks, dynoSizes, logDrains, ...rs}, fingerprint);
}
