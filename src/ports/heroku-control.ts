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
}
