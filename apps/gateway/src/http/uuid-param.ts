import { BadRequestException, Param, ParseUUIDPipe } from '@nestjs/common';

/** A path parameter that must be a UUID (any version); otherwise 400 naming the parameter, like body validation. */
export const UuidParam = (name = 'id') => Param(name, new ParseUUIDPipe({ version: undefined, exceptionFactory: () => new BadRequestException([`${name} must be a UUID`]) }));
