import { IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { QueryInt } from './query-transforms.js';

export const PAGE_SIZE = { default: 25, max: 100 } as const;

/** Applies decorators as if written one above the other, top first. */
const compose =
  (...decorators: PropertyDecorator[]): PropertyDecorator =>
  (target, property) => {
    for (const decorator of [...decorators].reverse()) decorator(target, property);
  };

/** `?limit=`: 1 to 100 items per page, 25 when absent. */
export const PageLimit = () => compose(IsOptional(), QueryInt(), Min(1), Max(PAGE_SIZE.max), IsInt());

/** `?cursor=`: the opaque `nextCursor` of the previous page. */
export const PageCursor = () => compose(IsOptional(), MaxLength(500), IsString());
