/**
 * The Heroku writes the data window needs (Platform API v3): maintenance mode and process
 * scale. Kept apart from HerokuSource, which only reads.
 */
export interface FormationUpdate {
  type: string;
  quantity: number;
}

export interface HerokuControl {
  /** PATCH /apps/{app} {"maintenance": on}; returns the app's maintenance flag as Heroku answered it */
  setMaintenance(app: string, on: boolean): Promise<boolean>;
  /** PATCH /apps/{app}/formation {"updates": [...]}; returns the resulting quantities by type */
  scale(app: string, updates: FormationUpdate[]): Promise<Record<string, number>>;
  /**
   * DELETE /apps/{app}/addons/{addon_id_or_name}: destroys the add-on (its data, attachments and
   * config vars go with it; billing stops). Returns the add-on as Heroku answered it. Optional so
   * that in-memory ports of the data workflows need not implement it; finalize refuses without it.
   */
  destroyAddon?(app: string, addon: string): Promise<DestroyedAddon>;
}

export interface DestroyedAddon {
  id: string;
  name: string;
  /** e.g. 'deprovisioned' */
  state: string | null;
}
