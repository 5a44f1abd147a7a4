import { SetMetadata } from '@nestjs/common';

export const IS_PUBLIC = 'helpdesk:public';

/** Marks a route that needs no access token (probes, metrics, login, signup, docs). */
export const Public = () => SetMetadata(IS_PUBLIC, true);
