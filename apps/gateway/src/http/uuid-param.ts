import { BadRequestException, Param, ParseUUIDPipe } from '@nestjs/common';
import { ApiParam } from '@nestjs/swagger';

/** A path parameter that must be a UUID (any version); otherwise 400 naming the parameter, like body validation. Documented as such. */
export const UuidParam =
  (name = 'id'): ParameterDecorator =>
  (target, key, index) => {
    Param(name, new ParseUUIDPipe({ version: undefined, exceptionFactory: () => new BadRequestException([`${name} must be a UUID`]) }))(target, key, index);
    // ApiParam decorates the method: a parameter decorator reaches it through the prototype.
    if (key !== undefined) ApiParam({ name, type: 'string', format: 'uuid' })(target, key, Object.getOwnPropertyDescriptor(target, key)!);
  };
