import { en } from './en';

/** The active catalogue; English only for now. */
export const t = en;
