import { Transform } from 'class-transformer';

/** Query strings carry lists as "a,b", booleans as "true"/"false" and numbers as text; commands over NATS carry them typed. */
export const QueryList = () => Transform(({ value }) => (typeof value === 'string' ? value.split(',').map((item) => item.trim()).filter(Boolean) : value));
export const QueryBoolean = () => Transform(({ value }) => (value === 'true' ? true : value === 'false' ? false : value));
export const QueryInt = () => Transform(({ value }) => (typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value));
